"""Ingest an alert group: join the open incident for its key, or open a new one."""

from __future__ import annotations

from datetime import datetime

from nightowl.domain import AlertGroup, AlertStatus, Severity
from nightowl.domain.base import Model
from nightowl.intake.correlate import correlation_key, incident_id_for, title_for
from nightowl.store import IncidentStore

SEVERITY_WORDS = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "error": Severity.HIGH,
    "high": Severity.HIGH,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "info": Severity.INFO,
}


class IntakeResult(Model):
    incident_id: str | None
    created: bool
    new_alerts: int
    duplicates: int
    detail: str


def ingest(store: IncidentStore, group: AlertGroup, received_at: datetime) -> IntakeResult:
    """Record the group's alerts on an incident. Idempotent: the same group twice changes nothing."""
    key = correlation_key(group)
    incident_id = store.open_incident_for(key)
    created = False
    if incident_id is None:
        if all(a.status is AlertStatus.RESOLVED for a in group.alerts):
            return IntakeResult(
                incident_id=None,
                created=False,
                new_alerts=0,
                duplicates=0,
                detail="resolved alerts for which no incident is open: nothing to do",
            )
        incident_id = incident_id_for(key, group)
        created = store.create_incident(
            incident_id=incident_id,
            correlation_key=key,
            title=title_for(group),
            service=next((a.service for a in group.alerts if a.service), None),
            severity=_severity(group),
            opened_at=received_at,
        )
    added = store.add_alerts(incident_id, group.alerts, received_at)
    return IntakeResult(
        incident_id=incident_id,
        created=created,
        new_alerts=added.new,
        duplicates=added.duplicates,
        detail="opened a new incident" if created else "joined the open incident",
    )


def _severity(group: AlertGroup) -> Severity | None:
    ranks = list(Severity)
    found = [
        SEVERITY_WORDS[s.lower()]
        for a in group.alerts
        if (s := a.severity) and s.lower() in SEVERITY_WORDS
    ]
    return min(found, key=ranks.index) if found else None
