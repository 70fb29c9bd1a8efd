"""The report's timeline: deploys and symptom onsets, alerts, the page, the diagnosis, the gate's
decisions, the approvals' answers, the actions and the verification, in time order."""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.domain import ApprovalRequest, EvidenceKind, Incident
from nightowl.report.model import Event

SHOWN = (EvidenceKind.DEPLOY, EvidenceKind.METRIC_CHANGE, EvidenceKind.MONOTONIC_GROWTH)


def timeline(incident: Incident, approvals: Sequence[ApprovalRequest] = ()) -> tuple[Event, ...]:
    """Every dated thing the record holds, oldest first (a stable sort keeps causes first)."""
    events = [
        Event(at=e.onset, text=e.summary) for e in incident.evidence if e.onset and e.kind in SHOWN
    ]
    for a in incident.alerts:
        note = a.annotations.get("summary", "")
        events.append(
            Event(at=a.starts_at, text=f"alert {a.name} {a.status.value}: {note}".rstrip(": "))
        )
    events.append(Event(at=incident.opened_at, text="nightowl opened the incident (page)"))
    d = incident.diagnosis
    if d and d.root_cause:
        rc = d.root_cause
        events.append(
            Event(at=d.decided_at, text=f"diagnosed {rc.kind} on {rc.service} ({d.confidence:.0%})")
        )
    for dec in incident.decisions:
        verdict = dec.verdict.value.replace("_", " ")
        text = f"policy: {dec.action_kind} → {verdict} ({'; '.join(dec.reasons)})"
        events.append(Event(at=dec.decided_at, text=text))
    for r in approvals:
        events.append(Event(at=r.requested_at, text=f"approval requested: {r.plan}"))
        if r.decided_at is not None:
            by = f" by {r.decided_by}" if r.decided_by else ""
            events.append(Event(at=r.decided_at, text=f"approval {r.status.value}{by}: {r.plan}"))
    for act in incident.actions:
        status = act.status.value.replace("_", " ")
        text = f"{act.kind} on {act.service}: {status} — {act.message}"
        events.append(Event(at=act.started_at, text=text))
    if incident.verification:
        events.append(
            Event(at=incident.verification.checked_at, text=incident.verification.summary)
        )
    return tuple(sorted(events, key=lambda e: e.at))
