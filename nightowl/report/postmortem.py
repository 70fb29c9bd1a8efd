"""Build the postmortem model from the incident record: computed where the data allows, left as
prompts for humans where only they know.

Pure: the same incident, observations, requests and audit give the same report. ``Sources`` holds
what the report stage read besides the incident (all optional: the CLI and the UI render from the
incident alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from nightowl.domain import (
    ActionStatus,
    ApprovalRequest,
    Evidence,
    EvidenceKind,
    Incident,
    Observations,
    outcome_of,
)
from nightowl.report.distributions import drifts
from nightowl.report.impact import failed_requests
from nightowl.report.lessons import action_items, lessons
from nightowl.report.links import links
from nightowl.report.model import (
    Alternative,
    Cause,
    Citation,
    Detection,
    Impact,
    Person,
    Postmortem,
)
from nightowl.report.timeline import timeline
from nightowl.settings import ReportSettings

SYMPTOMS = (EvidenceKind.METRIC_CHANGE, EvidenceKind.MONOTONIC_GROWTH)


@dataclass(frozen=True, slots=True)
class Sources:
    """What the report is built from besides the incident: the round's observations, the
    approval requests, who acted (audit actors), the report settings and the narrative."""

    observations: Observations | None = None
    approvals: Sequence[ApprovalRequest] = ()
    actors: Sequence[tuple[str, str]] = ()
    """(actor, what they did) from the audit trail, nightowl's own records left out."""
    settings: ReportSettings = field(default_factory=ReportSettings)
    public_url: str | None = None
    narrative: str | None = None
    trace: tuple[str, str | None] | None = None
    """nightowl's own trace of the incident: its id and link (``tracing.ui_url``)."""


def build(incident: Incident, sources: Sources | None = None) -> Postmortem:
    """The postmortem of ``incident`` (see the module docstring)."""
    sources = sources or Sources()
    detection = detect(incident)
    cause = cause_of(incident)
    impact = impact_of(incident, detection, sources.observations)
    report = Postmortem(
        incident_id=incident.id,
        title=incident.title,
        service=incident.service,
        severity=incident.severity.value if incident.severity else None,
        category=incident.category.value if incident.category else None,
        outcome=outcome_of(incident),
        summary="",
        detection=detection,
        impact=impact,
        cause=cause,
        cause_note="" if cause else _no_cause(incident),
        history=incident.diagnosis.recall.line
        if incident.diagnosis and incident.diagnosis.recall
        else None,
        resolution=resolution(incident),
        people=people(sources.approvals, sources.actors),
        timeline=timeline(incident, sources.approvals),
        links=links(incident, cause, sources.settings, sources.public_url, sources.trace),
        narrative=sources.narrative.strip() if sources.narrative else None,
        drifts=tuple(drifts(incident.evidence)),
    )
    well, badly, lucky = lessons(incident, report, sources.observations)
    return report.model_copy(
        update={
            "summary": summary(incident, report),
            "went_well": well,
            "went_badly": badly,
            "lucky": lucky,
            "action_items": action_items(incident, report, sources.observations),
        }
    )


def summary(incident: Incident, report: Postmortem) -> str:
    """One paragraph: what happened, what nightowl found and did, how it ended."""
    c = report.cause
    found = (
        f"nightowl diagnosed {c.kind.replace('_', ' ')} on {c.service} "
        f"(confidence {c.confidence:.0%})"
        if c
        else "nightowl found no root cause with enough confidence"
    )
    did = ", ".join(f"{a.kind} ({a.status.value.replace('_', ' ')})" for a in incident.actions)
    o = report.outcome
    ended = f"Final status: {o.status.value.replace('_', ' ')} — {o.why}"
    return f"{incident.title}. {found}; {did or 'no action was executed'}. {ended}."


def detect(incident: Incident) -> Detection:
    """The detection and mitigation times, and the delays between them."""
    trigger = _trigger(incident)
    onsets = [e.onset for e in incident.evidence if e.kind in SYMPTOMS and e.onset and e.rising]
    symptom = min(onsets, default=None)
    alerted = min((a.starts_at for a in incident.alerts), default=None)
    d = incident.diagnosis
    diagnosed = d.decided_at if d and d.root_cause else None
    v = incident.verification
    real = [
        a.finished_at
        for a in incident.actions
        if a.status is ActionStatus.SUCCEEDED and not a.dry_run
    ]
    mitigated = max(real) if v is not None and v.recovered and real else None
    start = trigger.onset if trigger else symptom
    return Detection(
        trigger_at=trigger.onset if trigger else None,
        symptom_at=symptom,
        alerted_at=alerted,
        paged_at=incident.opened_at,
        diagnosed_at=diagnosed,
        mitigated_at=mitigated,
        detection_delay_seconds=_seconds(start, alerted),
        time_to_page_seconds=_seconds(alerted, incident.opened_at),
        time_to_diagnose_seconds=_seconds(incident.opened_at, diagnosed),
        time_to_mitigate_seconds=_seconds(incident.opened_at, mitigated),
    )


def cause_of(incident: Incident) -> Cause | None:
    """Trigger and root cause, with the evidence cited and the alternatives that lost."""
    d = incident.diagnosis
    if d is None or d.root_cause is None:
        return None
    rc, trigger = d.root_cause, _trigger(incident)
    by_id = {e.id: e for e in incident.evidence}
    winner = d.hypotheses[0] if d.hypotheses else None
    cited = [by_id[i] for i in (winner.supporting if winner else ()) if i in by_id]
    change = trigger.change if trigger else None
    return Cause(
        kind=rc.kind,
        service=rc.service,
        confidence=d.confidence,
        summary=rc.summary,
        trigger=trigger.summary if trigger else "",
        deploy=rc.deploy,
        commit=change.commit if change else None,
        evidence=tuple(Citation(summary=e.summary, source=e.source, query=e.query) for e in cited),
        alternatives=tuple(
            Alternative(
                kind=h.kind,
                service=h.service,
                confidence=h.confidence,
                status=h.status.value,
                summary=h.summary,
            )
            for h in d.hypotheses[1:]
        ),
    )


def impact_of(
    incident: Incident, detection: Detection, observations: Observations | None
) -> Impact:
    """The symptoms, how long they lasted, and the failed requests where the metrics allow."""
    symptom = [
        e
        for e in incident.evidence
        if e.kind is EvidenceKind.METRIC_CHANGE and e.signal in ("error_rate", "latency_p99")
    ]
    v = incident.verification
    start = detection.symptom_at
    recovered_at = v.window_end if v is not None and v.recovered else None
    base = Impact(
        services=tuple(sorted({e.service for e in symptom if e.service})),
        symptoms=tuple(e.summary for e in symptom),
        degraded_seconds=_seconds(start, recovered_at),
    )
    d = incident.diagnosis
    service = d.root_cause.service if d and d.root_cause else incident.service
    if service is None or start is None:
        return base
    end = recovered_at or (observations.end if observations else incident.updated_at)
    return failed_requests(
        observations, service, start, end, _normal_errors(symptom, service), base
    )


def resolution(incident: Incident) -> tuple[str, ...]:
    """What the gate held back and what was executed or only previewed, then the verification."""
    lines = [
        f"{d.action_kind}: {d.verdict.value.replace('_', ' ')} — {'; '.join(d.reasons)}"
        for d in incident.decisions
        if d.verdict.value != "allow"
    ]
    for a in incident.actions:
        how = "dry run, not executed" if a.status is ActionStatus.DRY_RUN else a.status.value
        lines.append(f"{a.kind} on {a.service} by driver {a.driver} ({how}): {a.message}")
    if incident.verification:
        lines.append(f"Verification: {incident.verification.summary}")
    return tuple(lines)


def people(
    approvals: Sequence[ApprovalRequest], actors: Sequence[tuple[str, str]]
) -> tuple[Person, ...]:
    """Who decided the approval requests, then who else acted on the incident (audit)."""
    seen: dict[tuple[str, str], Person] = {}
    for r in approvals:
        if r.decided_by:
            did = f"{r.status.value} {r.action.kind} on {r.service}"
            seen.setdefault(
                (r.decided_by, did), Person(name=r.decided_by, role="approver", did=did)
            )
    named = {p.name for p in seen.values()}
    for actor, did in actors:
        if actor not in named:
            seen.setdefault((actor, did), Person(name=actor, role="responder", did=did))
    return tuple(seen.values())


def _trigger(incident: Incident) -> Evidence | None:
    """The deploy the root cause names (else the root-cause service's last one before the
    symptoms), or None."""
    d = incident.diagnosis
    if d is None or d.root_cause is None:
        return None
    rc = d.root_cause
    deploys = [
        e
        for e in incident.evidence
        if e.kind is EvidenceKind.DEPLOY and e.service == rc.service and e.onset
    ]
    named = [e for e in deploys if e.change and rc.deploy and e.change.version == rc.deploy]
    chosen = named or deploys
    return max(chosen, key=lambda e: e.onset or incident.opened_at) if chosen else None


def _normal_errors(symptom: Sequence[Evidence], service: str) -> float | None:
    return next(
        (e.baseline for e in symptom if e.service == service and e.signal == "error_rate"), None
    )


def _no_cause(incident: Incident) -> str:
    d = incident.diagnosis
    return d.explanation if d and d.explanation else "No diagnosis was made."


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)
