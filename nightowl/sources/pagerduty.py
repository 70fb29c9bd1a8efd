"""PagerDuty v3 webhooks (incident events), signed with ``X-PagerDuty-Signature``.

The signature is ``v1=<hex>`` — HMAC-SHA256 of the raw body — and during secret rotation the header
carries several, comma-separated; any one valid signature for any configured secret is accepted
(compared in constant time).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from nightowl.domain import AlertGroup, AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.base import group_of, load_json, make_alert, raise_validation

RESOLVED_EVENTS = {"incident.resolved"}
PRIORITY_SEVERITY = {"P1": "critical", "P2": "high", "P3": "warning", "P4": "info", "P5": "info"}


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class Reference(_Wire):
    """A PagerDuty object referenced by id, with its display summary."""

    id: str | None = None
    summary: str | None = None


class IncidentData(_Wire):
    """The incident a v3 event is about, as much of it as nightowl reads."""

    id: str
    type: str = "incident"
    title: str = ""
    status: str = "triggered"
    number: int | None = None
    html_url: str | None = None
    incident_key: str | None = None
    created_at: datetime | None = None
    service: Reference | None = None
    priority: Reference | None = None
    urgency: str | None = None


class Event(_Wire):
    """One v3 webhook event (``incident.triggered``, ``incident.resolved``, ...)."""

    id: str
    event_type: str
    resource_type: str
    occurred_at: datetime
    data: IncidentData


class Envelope(_Wire):
    """The v3 webhook body: ``{"event": {...}}``."""

    event: Event


class PagerDutySource:
    """``POST /webhooks/pagerduty``: an incident event becomes a group of one alert.

    The PagerDuty service's name becomes ``service``, its priority (P1-P5) the severity; the
    fingerprint is the incident key (or id), so every event of one incident updates one alert.
    The signature header and prefix tell the webhook auth how PagerDuty signs.
    """

    name = "pagerduty"
    signature_header = "x-pagerduty-signature"
    signature_prefix = "v1="

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AlertGroup:
        """The alert in ``body``; PayloadError for an event that is not about an incident or a
        bad field.
        """
        data = load_json(body, self.name)
        try:
            event = Envelope.model_validate(data).event
        except ValidationError as exc:
            raise raise_validation(exc, self.name) from None
        if event.resource_type != "incident":
            raise PayloadError(
                f"resource_type {event.resource_type!r} carries no alert; subscribe nightowl to incident events",
                source=self.name,
                field="event.resource_type",
            )
        incident = event.data
        resolved = event.event_type in RESOLVED_EVENTS or incident.status == "resolved"
        labels: dict[str, Any] = {
            "service": incident.service.summary if incident.service else None,
            "pagerduty_service_id": incident.service.id if incident.service else None,
            "severity": PRIORITY_SEVERITY.get(incident.priority.summary or "")
            if incident.priority
            else None,
            "urgency": incident.urgency,
            "pagerduty_incident": incident.id,
        }
        alert = make_alert(
            source=self.name,
            status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
            name=incident.title or f"PagerDuty incident {incident.number}",
            labels={k: str(v) for k, v in labels.items() if v},
            annotations={"summary": incident.title, "event": event.event_type}
            | ({"url": incident.html_url} if incident.html_url else {}),
            starts_at=incident.created_at or event.occurred_at,
            ends_at=event.occurred_at if resolved else None,
            generator_url=incident.html_url,
            fingerprint=f"pagerduty:{incident.incident_key or incident.id}",
        )
        return group_of(self.name, f"pagerduty:{incident.id}", [alert])
