"""Sample incidents and alerts for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime

from nightowl.domain import Alert, AlertStatus, Severity
from nightowl.store import IncidentStore

T0 = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)


def make_incident(
    store: IncidentStore, incident_id: str = "inc-1", key: str = "k", at: datetime = T0
) -> str:
    created = store.create_incident(
        incident_id=incident_id,
        correlation_key=key,
        title=f"title of {incident_id}",
        service="checkout",
        severity=Severity.HIGH,
        opened_at=at,
    )
    assert created
    return incident_id


def make_alert(content_hash: str = "h1", fingerprint: str = "f1") -> Alert:
    return Alert(
        source="alertmanager",
        fingerprint=fingerprint,
        content_hash=content_hash,
        status=AlertStatus.FIRING,
        name="HighErrorRate",
        labels={"service": "checkout", "severity": "critical"},
        annotations={"summary": "errors ≥ 5%"},
        starts_at=T0,
        generator_url="http://prometheus/graph",
    )
