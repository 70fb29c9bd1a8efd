"""Grafana alerting webhooks: unified alerting (``"version": "1"``) and legacy (``evalMatches``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.domain import AlertGroup, AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.base import group_of, load_json, make_alert, raise_validation, str_labels

ZERO_YEAR = 1
LEGACY_RESOLVED = {"ok", "paused"}


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class UnifiedAlert(_Wire):
    """One alert of a unified-alerting notification (label and annotation values may be
    non-strings).
    """

    status: AlertStatus
    labels: dict[str, Any]
    annotations: dict[str, Any] = {}
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    generator_url: str | None = Field(default=None, alias="generatorURL")
    fingerprint: str | None = None


class Unified(_Wire):
    """A unified-alerting notification (``"version": "1"``), shaped like Alertmanager's."""

    version: str
    status: AlertStatus
    receiver: str | None = None
    group_key: str = Field(default="", alias="groupKey")
    alerts: list[UnifiedAlert] = Field(min_length=1)
    group_labels: dict[str, Any] = Field(default={}, alias="groupLabels")
    common_labels: dict[str, Any] = Field(default={}, alias="commonLabels")
    common_annotations: dict[str, Any] = Field(default={}, alias="commonAnnotations")
    external_url: str | None = Field(default=None, alias="externalURL")
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")


class EvalMatch(_Wire):
    """One series a legacy alert rule matched, with its value and tags."""

    value: float | None = None
    metric: str = ""
    tags: dict[str, Any] | None = None


class Legacy(_Wire):
    """A legacy dashboard-alert notification: one rule, its state and its eval matches."""

    state: str
    rule_name: str = Field(alias="ruleName")
    rule_id: int | str | None = Field(default=None, alias="ruleId")
    rule_url: str | None = Field(default=None, alias="ruleUrl")
    title: str = ""
    message: str = ""
    eval_matches: list[EvalMatch] = Field(default=[], alias="evalMatches")
    tags: dict[str, Any] = {}


class GrafanaSource:
    """``POST /webhooks/grafana``: unified or legacy notifications, told apart by their fields.

    A legacy notification gives one alert per eval match (or one for the rule); it carries no
    start time, so it is stamped on arrival and hashed without times.
    """

    name = "grafana"

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AlertGroup:
        """The group in ``body``; PayloadError for a body that is not an object or a bad field."""
        data = load_json(body, self.name)
        if not isinstance(data, dict):
            raise PayloadError("expected a JSON object", source=self.name)
        try:
            if "evalMatches" in data or "ruleName" in data:
                return self._legacy(Legacy.model_validate(data))
            return self._unified(Unified.model_validate(data))
        except ValidationError as exc:
            raise raise_validation(exc, self.name) from None

    def _unified(self, payload: Unified) -> AlertGroup:
        if payload.version != "1":
            raise PayloadError(
                f'unsupported version {payload.version!r}; nightowl reads Grafana\'s version "1"',
                source=self.name,
                field="version",
            )
        alerts = [
            make_alert(
                source=self.name,
                status=a.status,
                name=str(a.labels.get("alertname", "grafana alert")),
                labels=str_labels(a.labels),
                annotations=str_labels(a.annotations),
                starts_at=a.starts_at,
                ends_at=a.ends_at if a.ends_at and a.ends_at.year > ZERO_YEAR else None,
                generator_url=a.generator_url,
                fingerprint=a.fingerprint,
            )
            for a in payload.alerts
        ]
        return group_of(
            self.name,
            payload.group_key or "grafana",
            alerts,
            receiver=payload.receiver,
            group_labels=str_labels(payload.group_labels),
            common_labels=str_labels(payload.common_labels),
            common_annotations=str_labels(payload.common_annotations),
            external_url=payload.external_url,
            truncated_alerts=payload.truncated_alerts,
        )

    def _legacy(self, payload: Legacy) -> AlertGroup:
        status = (
            AlertStatus.RESOLVED if payload.state.lower() in LEGACY_RESOLVED else AlertStatus.FIRING
        )
        now = datetime.now(UTC)
        matches = payload.eval_matches or [EvalMatch()]
        alerts = []
        for match in matches:
            labels = {**str_labels(payload.tags), **str_labels(match.tags or {})}
            if match.metric:
                labels["metric"] = match.metric
            annotations = {"summary": payload.title, "description": payload.message}
            if match.value is not None:
                annotations["value"] = f"{match.value:g}"
            alerts.append(
                make_alert(
                    source=self.name,
                    status=status,
                    name=payload.rule_name,
                    labels=labels,
                    annotations={k: v for k, v in annotations.items() if v},
                    starts_at=now,
                    generator_url=payload.rule_url,
                    times_in_hash=False,
                )
            )
        return group_of(self.name, f"grafana-legacy:{payload.rule_id or payload.rule_name}", alerts)
