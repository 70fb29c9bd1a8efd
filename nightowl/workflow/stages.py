"""What each stage does. The order is written once, in PIPELINE at the bottom.

Each stage reads the incident from the store, does its work, writes its result back (replacing what
an earlier attempt of the same stage wrote, so a re-run is harmless) and returns a one-line summary.
``Carry`` passes the gathered observations to analysis without storing raw series in the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from nightowl.analysis.diagnose import diagnose
from nightowl.analysis.evidence import analyze
from nightowl.analysis.hypotheses import hypothesise
from nightowl.analysis.triage import triage
from nightowl.domain import (
    ActionStatus,
    EvidenceKind,
    IncidentStatus,
    Observations,
    Report,
    Series,
    Stage,
    Verdict,
)
from nightowl.domain.base import Model
from nightowl.notify.protocol import Message
from nightowl.policy.gate import decide
from nightowl.report.markdown import render
from nightowl.runbooks.catalog import match, plan
from nightowl.verify.recovery import judge, symptoms
from nightowl.workflow.gather import gather
from nightowl.workflow.runtime import Runtime


class Carry(Model):
    observations: Observations | None = None


class Outcome(Model):
    summary: str
    carry: Carry = Carry()
    failed: bool = False


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
    obs = await gather(rt, incident.service)
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
    evidence = analyze(carry.observations) if carry.observations else []
    rt.store.save_evidence(incident_id, evidence)
    kinds = sorted({e.kind.value for e in evidence})
    return Outcome(
        summary=f"{len(evidence)} pieces of evidence ({', '.join(kinds) or 'none'})", carry=carry
    )


async def run_diagnose(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    hypotheses = hypothesise(incident.evidence, rt.settings.analysis, incident.service)
    rt.store.save_hypotheses(incident_id, hypotheses)
    diagnosis = diagnose(hypotheses, rt.settings.analysis.min_confidence, rt.clock.now())
    rt.store.save_diagnosis(incident_id, diagnosis)
    rc = diagnosis.root_cause
    if rc is None:
        return Outcome(summary=f"no root cause above threshold ({len(hypotheses)} hypotheses)")
    return Outcome(
        summary=f"{rc.kind} on {rc.service} ({diagnosis.confidence:.0%}); {len(hypotheses)} hypotheses tested"
    )


async def run_plan(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    if not incident.diagnosis or not incident.diagnosis.root_cause:
        rt.store.save_plan(incident_id, [])
        return Outcome(summary="nothing to plan without a root cause")
    book = match(rt.runbooks, incident.diagnosis, incident.category)
    if book is None:
        rt.store.save_plan(incident_id, [])
        return Outcome(summary=f"no runbook matches {incident.diagnosis.root_cause.kind}")
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
    actions = plan(book, incident.diagnosis, incident_id, previous)
    rt.store.save_plan(incident_id, actions)
    return Outcome(
        summary=f"runbook {book.name}: " + "; ".join(f"{a.kind} {a.service}" for a in actions)
    )


async def run_gate(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    books = {b.name: b for b in rt.runbooks}
    needs = any(books[a.runbook].requires_approval for a in incident.plan if a.runbook in books)
    decisions = decide(incident.plan, rt.settings.policy, rt.clock.now(), approval_required=needs)
    rt.store.save_decisions(incident_id, decisions)
    if any(d.verdict is Verdict.REQUIRE_APPROVAL for d in decisions):
        rt.store.set_status(incident_id, IncidentStatus.AWAITING_APPROVAL)
    return Outcome(
        summary="; ".join(f"{d.action_kind}: {d.verdict.value}" for d in decisions)
        or "no action to decide"
    )


async def run_act(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    allowed = {d.idempotency_key for d in incident.decisions if d.verdict is Verdict.ALLOW}
    done = []
    for action in incident.plan:
        if action.idempotency_key not in allowed:
            continue
        previous = rt.store.find_action(action.idempotency_key)
        if previous is not None:  # a retried step never acts twice
            done.append(f"{action.kind}: already {previous.status.value}")
            continue
        driver = rt.driver_for(action.kind)
        if driver is None:
            done.append(f"{action.kind}: no driver can perform it")
            continue
        result = await driver.apply(action, dry_run=rt.settings.actions.dry_run)
        rt.store.save_action(incident_id, result)
        done.append(f"{action.kind} {action.service}: {result.status.value}")
    return Outcome(summary="; ".join(done) or "nothing executed")


async def run_verify(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    executed = [a for a in incident.actions if a.status is ActionStatus.SUCCEEDED]
    if not executed:
        return Outcome(summary="no action executed: nothing to verify")
    cfg = rt.settings.verify
    start = max(a.finished_at for a in executed) + timedelta(seconds=cfg.settle_seconds)
    end = start + timedelta(seconds=cfg.window_seconds)
    wait = (end - rt.clock.now()).total_seconds()
    if wait > 0:
        await rt.clock.sleep(wait)
    services = sorted(
        {a.service for a in executed} | ({incident.service} if incident.service else set())
    )
    after: dict[str, dict[str, Series]] = {}
    for source in rt.metrics:
        for service in services:
            signals = await source.service_signals(
                service, start, end, rt.settings.gather.step_seconds
            )
            after.setdefault(service, {}).update({k.value: v for k, v in signals.items()})
    verdict = judge(
        symptoms(incident.evidence, services), after, cfg.tolerance, (start, end), rt.clock.now()
    )
    if not verdict.recovered:
        for action in executed:
            driver = rt.driver_for(action.kind)
            if driver is not None:
                rt.store.save_action(incident_id, await driver.rollback(action))
        verdict = verdict.model_copy(update={"rolled_back": True})
    rt.store.save_verification(incident_id, verdict)
    status = IncidentStatus.RESOLVED if verdict.recovered else IncidentStatus.ESCALATED
    rt.store.set_status(incident_id, status)
    return Outcome(summary=verdict.summary)


async def run_report(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    markdown = render(incident)
    path = rt.settings.reports_dir / f"{incident_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown, encoding="utf-8")
    rt.store.save_report(
        incident_id, Report(markdown=markdown, path=str(path), created_at=rt.clock.now())
    )
    return Outcome(summary=f"written to {path}")


async def run_notify(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    d = incident.diagnosis
    text = d.explanation.splitlines()[0] if d else "no diagnosis"
    message = Message(
        incident_id=incident_id,
        title=incident.title,
        status=incident.status.value,
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
    (Stage.ACT, run_act),
    (Stage.VERIFY, run_verify),
    (Stage.REPORT, run_report),
    (Stage.NOTIFY, run_notify),
)
"""The stage order, written once."""

ALWAYS_RUN = (Stage.REPORT, Stage.NOTIFY)
"""Stages that still run after an earlier stage failed, so humans always get the story."""
