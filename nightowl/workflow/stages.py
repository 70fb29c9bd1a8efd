"""What each stage does. The order is written once, in PIPELINE at the bottom.

Each stage reads the incident from the store, does its work, writes its result back (replacing what
an earlier attempt of the same stage wrote, so a re-run is harmless) and returns a one-line summary.
``Carry`` passes the gathered observations to analysis without storing raw series in the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nightowl.analysis.diagnose import diagnose, investigate, rank_root_causes
from nightowl.analysis.evidence import analyze
from nightowl.analysis.hypotheses import Context
from nightowl.analysis.taxonomy import load_taxonomy, taxonomy_dirs
from nightowl.analysis.triage import triage
from nightowl.domain import (
    EvidenceKind,
    IncidentStatus,
    Report,
    Stage,
    StageStatus,
)
from nightowl.notify.protocol import Message
from nightowl.report import charts
from nightowl.report.html import render_html, with_narrative
from nightowl.report.markdown import render
from nightowl.runbooks.catalog import facts_of, match, plan
from nightowl.workflow.approval import run_approve
from nightowl.workflow.gather import gather
from nightowl.workflow.outcome import Carry, Outcome
from nightowl.workflow.remediation import run_act, run_gate, run_verify
from nightowl.workflow.runtime import Runtime

StageFn = Callable[[Runtime, str, Carry], Awaitable[Outcome]]


async def run_triage(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    result = triage(incident.alerts)
    rt.store.save_triage(incident_id, result)
    rt.store.set_status(incident_id, IncidentStatus.INVESTIGATING)
    return Outcome(
        summary=f"{result.category.value}, {result.severity.value}, service {result.service}"
    )


async def run_gather(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    alerting = sorted({a.service for a in incident.alerts if a.service} - {incident.service})
    obs = await gather(rt, incident.service, alerting)
    points = sum(len(s.values) for per in obs.signals.values() for s in per.values())
    missing = (
        f"; unavailable: {', '.join(u.what for u in obs.unavailable)}" if obs.unavailable else ""
    )
    return Outcome(
        summary=f"{len(obs.services)} services, {points} metric points, {len(obs.logs)} log lines, "
        f"{len(obs.deploys)} deploys{missing}",
        carry=Carry(observations=obs),
    )


async def run_analyze(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    taxonomy = load_taxonomy(taxonomy_dirs(rt.settings.runbooks.paths))
    evidence = analyze(carry.observations, taxonomy) if carry.observations else []
    rt.store.save_evidence(incident_id, evidence)
    kinds = sorted({e.kind.value for e in evidence})
    return Outcome(
        summary=f"{len(evidence)} pieces of evidence ({', '.join(kinds) or 'none'})", carry=carry
    )


async def run_diagnose(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    obs = carry.observations
    context = Context(
        topology=obs.topology if obs else {},
        ranks=rank_root_causes(obs, incident.evidence),
        taxonomy=load_taxonomy(taxonomy_dirs(rt.settings.runbooks.paths)),
    )
    search = await investigate(incident.evidence, obs, rt.settings.analysis, rt.logs, context)
    hypotheses = search.hypotheses
    if len(search.evidence) > len(incident.evidence):
        rt.store.save_evidence(incident_id, search.evidence)
    rt.store.save_hypotheses(incident_id, hypotheses)
    untried = [h for h in hypotheses if f"{h.kind}:{h.service}" not in carry.tried]  # re-diagnosis
    diagnosis = diagnose(untried, rt.settings.analysis.min_confidence, rt.clock.now())
    if rt.agent is not None:  # the LLM's hypothesis joins ours; it may decide (agent/merge.py)
        latest = rt.store.get(incident_id)  # with the evidence the search added
        merged = await rt.agent.diagnose(latest, diagnosis, cycle=carry.cycle, tried=carry.tried)
        diagnosis = merged.diagnosis
        if merged.hypothesis is not None:
            rt.store.save_hypotheses(incident_id, [*hypotheses, merged.hypothesis])
    rc = diagnosis.root_cause
    analysis = rt.settings.analysis
    if rc is None and carry.looks < analysis.look_again:
        # The alert may have fired before the cause shows: look again before escalating.
        return Outcome(
            summary=f"no root cause above threshold yet ({len(hypotheses)} hypotheses); "
            f"gathering again in {analysis.look_again_seconds:g}s "
            f"({carry.looks + 1} of {analysis.look_again})",
            carry=carry.model_copy(update={"look_again": True, "looks": carry.looks + 1}),
        )
    rt.store.save_diagnosis(incident_id, diagnosis)
    if rc is None:
        return Outcome(
            summary=f"no root cause above threshold ({len(hypotheses)} hypotheses)", carry=carry
        )
    return Outcome(
        summary=f"{rc.kind} on {rc.service} ({diagnosis.confidence:.0%}); {len(hypotheses)} "
        f"hypotheses tested, {search.queries} further queries ({search.stopped})",
        carry=carry,
    )


async def run_plan(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    if not incident.diagnosis or not incident.diagnosis.root_cause:
        rt.store.save_plan(incident_id, [])
        return Outcome(summary="nothing to plan without a root cause", carry=carry)
    book = match(
        rt.runbooks,
        incident.diagnosis,
        incident.category,
        labels=[a.labels for a in incident.alerts],
        texts=[e.summary for e in incident.evidence if e.kind is EvidenceKind.LOG_ERRORS],
        exclude=carry.tried_runbooks,
    )
    if book is None:
        rt.store.save_plan(incident_id, [])
        return Outcome(
            summary=f"no runbook matches {incident.diagnosis.root_cause.kind}", carry=carry
        )
    deploy = next(
        (
            e
            for e in incident.evidence
            if e.kind is EvidenceKind.DEPLOY
            and e.data.get("version") == incident.diagnosis.root_cause.deploy
        ),
        None,
    )
    previous = (
        str(deploy.data["previous_version"])
        if deploy and deploy.data.get("previous_version")
        else None
    )
    facts = facts_of(
        incident.diagnosis, incident_id, previous, incident.category, incident.severity
    )
    actions = plan(book, incident.diagnosis, incident_id, previous, facts)
    rt.store.save_plan(incident_id, actions)
    return Outcome(
        summary=f"runbook {book.name}: " + "; ".join(f"{a.kind} {a.service}" for a in actions),
        carry=carry,
    )


async def run_report(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    # The LLM layer's story (the communicator), when an agent is configured; the report needs none.
    narrative = await rt.agent.narrate(incident) if rt.agent is not None else None
    markdown = with_narrative(render(incident), narrative)
    path = rt.settings.reports_dir / f"{incident_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown, encoding="utf-8")
    # The key metrics are captured once, beside the report: they outlive the backend's retention.
    gather_cfg = rt.settings.gather
    drawn = await charts.capture(
        rt.metrics,
        incident,
        rt.clock.now(),
        gather_cfg.step_seconds,
        gather_cfg.call_timeout_seconds,
    )
    charts.save(charts.chart_path(path), drawn)
    page = path.with_suffix(".html")
    page.write_text(render_html(incident, drawn, markdown=markdown), encoding="utf-8")
    rt.store.save_report(
        incident_id, Report(markdown=markdown, path=str(path), created_at=rt.clock.now())
    )
    return Outcome(summary=f"written to {path} and {page.name} ({len(drawn)} charts)")


async def run_notify(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    d = incident.diagnosis
    text = d.explanation.splitlines()[0] if d else "no diagnosis"
    if incident.verification is not None:
        text += f"\n{incident.verification.summary}"
    status = incident.status
    if status is not IncidentStatus.RESOLVED and any(
        s.status is StageStatus.FAILED for s in incident.stages
    ):
        status = IncidentStatus.ESCALATED  # the engine marks it so once this stage returns
    message = Message(
        incident_id=incident_id,
        title=incident.title,
        status=status.value,
        text=text,
        report_path=incident.report_path,
    )
    sent = []
    for notifier in rt.notifiers:
        note = await notifier.send(message)
        rt.store.add_notification(incident_id, note)
        sent.append(f"{note.channel}: {'sent' if note.ok else 'failed'}")
    return Outcome(summary="; ".join(sent) or "no notifier configured")


PIPELINE: tuple[tuple[Stage, StageFn], ...] = (
    (Stage.TRIAGE, run_triage),
    (Stage.GATHER, run_gather),
    (Stage.ANALYZE, run_analyze),
    (Stage.DIAGNOSE, run_diagnose),
    (Stage.PLAN, run_plan),
    (Stage.GATE, run_gate),
    (Stage.APPROVE, run_approve),
    (Stage.ACT, run_act),
    (Stage.VERIFY, run_verify),
    (Stage.REPORT, run_report),
    (Stage.NOTIFY, run_notify),
)
"""The stage order, written once."""

ALWAYS_RUN = (Stage.REPORT, Stage.NOTIFY)
"""Stages that still run after an earlier stage failed, so humans always get the story."""

LOOK_AGAIN_FROM = Stage.GATHER
"""Where diagnosis starts over when no root cause reached the threshold yet (bounded by
``analysis.look_again``, after ``analysis.look_again_seconds``)."""

REDIAGNOSE_FROM = Stage.DIAGNOSE
"""Where another round starts when verify finds the service not recovered (bounded by
``verify.max_cycles``; the engine runs the loop)."""
