"""Opsgenie outgoing webhooks (alert actions: Create, Close, Acknowledge, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.domain import AlertGroup, AlertStatus
from nightowl.sources.base import (
    epoch_time,
    group_of,
    load_json,
    make_alert,
    raise_validation,
    str_labels,
)

CLOSING = {"close", "delete"}
PRIORITY_SEVERITY = {"P1": "critical", "P2": "high", "P3": "warning", "P4": "info", "P5": "info"}


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class OgAlert(_Wire):
    """The alert of an Opsgenie webhook; ``createdAt`` is in milliseconds."""

    alert_id: str = Field(alias="alertId")
    message: str = ""
    alias: str | None = None
    tags: list[str] = []
    entity: str | None = None
    priority: str | None = None
    description: str | None = None
    created_at: int | None = Field(default=None, alias="createdAt")
    details: dict[str, Any] = {}
    source: str | None = None


class OgPayload(_Wire):
    """An Opsgenie outgoing webhook: the action taken and the alert it was taken on."""

    action: str
    alert: OgAlert
    integration_name: str | None = Field(default=None, alias="integrationName")


class OpsgenieSource:
    """``POST /webhooks/opsgenie``: an alert action becomes a group of one alert.

    ``Close`` and ``Delete`` resolve it, every other action keeps it firing. Tags ``key:value``
    become labels (a bare tag ``t`` becomes ``t=true``), the entity names the service and P1-P5
    the severity; the alias (or id) is the fingerprint, so every action on one alert updates it.
    """

    name = "opsgenie"

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AlertGroup:
        """The alert in ``body``; PayloadError names a bad field."""
        data = load_json(body, self.name)
        try:
            payload = OgPayload.model_validate(data)
        except ValidationError as exc:
            raise raise_validation(exc, self.name) from None
        alert = payload.alert
        closed = payload.action.lower() in CLOSING
        created = (
            epoch_time(alert.created_at, "alert.createdAt", self.name, millis=True)
            if alert.created_at
            else datetime.now(UTC)
        )
        labels = {**str_labels(alert.details), **{t: "true" for t in alert.tags if ":" not in t}}
        labels |= {k: v for k, _, v in (t.partition(":") for t in alert.tags if ":" in t)}
        if alert.entity:
            labels.setdefault("service", alert.entity)
        if alert.priority in PRIORITY_SEVERITY:
            labels.setdefault("severity", PRIORITY_SEVERITY[alert.priority])
        normalised = make_alert(
            source=self.name,
            status=AlertStatus.RESOLVED if closed else AlertStatus.FIRING,
            name=alert.message.strip() or f"Opsgenie alert {alert.alert_id}",
            labels=labels,
            annotations={"summary": alert.message.strip(), "action": payload.action}
            | ({"description": alert.description} if alert.description else {}),
            starts_at=created,
            fingerprint=f"opsgenie:{alert.alias or alert.alert_id}",
        )
        return group_of(self.name, f"opsgenie:{alert.alias or alert.alert_id}", [normalised])
