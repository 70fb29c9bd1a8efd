"""Datadog webhooks: the default payload, and the richer template nightowl documents.

Datadog renders every value as a string. The default template carries only the title, body, date
and ids, so the transition is read from the title's ``[Triggered]`` / ``[Recovered]`` prefix; the
richer template (docs/sources.md) adds ``alert_transition``, ``tags``, ``alert_priority`` and more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from nightowl.domain import AlertGroup, AlertStatus
from nightowl.domain.patterns import compile_pattern
from nightowl.errors import PayloadError
from nightowl.sources.base import epoch_time, group_of, load_json, make_alert, raise_validation

TITLE_PREFIX = compile_pattern(
    r"^\s*\[(?P<transition>[^\]]+?)(?: on (?P<scope>[^\]]*))?\]\s*(?P<title>.*)\n?$"
)
"""``[Recovered on {host:a}] Host is Down``: the transition, the scope it fired for, the title.

RE2, like every pattern over webhook text: with backtracking, a 64 KB title of ``" on "`` repeats
took seconds (quadratic) on the event loop."""
RESOLVED = {"recovered", "resolved", "ok"}
PRIORITY_SEVERITY = {"P1": "critical", "P2": "high", "P3": "warning", "P4": "info", "P5": "info"}
UNRENDERED = compile_pattern(r"\$[A-Z_]+")


class Payload(BaseModel):
    """A Datadog webhook body: every value is a string; fields beyond these are allowed and
    ignored.
    """

    model_config = ConfigDict(extra="allow")

    title: str
    id: str
    date: str
    body: str = ""
    event_type: str = ""
    last_updated: str | None = None
    alert_id: str | None = None
    alert_transition: str | None = None
    alert_priority: str | None = None
    alert_cycle_key: str | None = None
    alert_metric: str | None = None
    alert_scope: str | None = None
    hostname: str | None = None
    link: str | None = None
    tags: str = ""
    service: str | None = None


class DatadogSource:
    """``POST /webhooks/datadog``: one monitor notification becomes a group of one alert.

    A body still holding ``$VARIABLE`` placeholders means Datadog did not render the template,
    and is refused with that explanation instead of opening an incident named ``$EVENT_TITLE``.
    """

    name = "datadog"

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AlertGroup:
        """The alert in ``body``; PayloadError for unrendered template variables or a bad field."""
        data = load_json(body, self.name)
        if isinstance(data, dict):
            raw = [k for k, v in data.items() if isinstance(v, str) and UNRENDERED.fullmatch(v)]
            if raw:
                named = ", ".join(f"{k}={data[k]}" for k in sorted(raw))
                raise PayloadError(
                    f"the payload still holds template variables ({named}): Datadog did "
                    "not render it; check the webhook's payload in Datadog's integration settings",
                    source=self.name,
                    field=sorted(raw)[0],
                )
        try:
            payload = Payload.model_validate(data)
        except ValidationError as exc:
            raise raise_validation(exc, self.name) from None
        at = _epoch_ms(payload.date, "date", self.name)
        match = TITLE_PREFIX.match(payload.title)
        transition = payload.alert_transition or (
            (match.group("transition") if match else None) or "Triggered"
        )
        title = (match.group("title") or "") if match else payload.title
        resolved = transition.lower() in RESOLVED
        labels = _tags(payload.tags)
        # A multi-alert monitor notifies once per scope (host, ...): each scope is its own alert.
        title_scope = match.group("scope") if match else None
        scope = _tags((payload.alert_scope or title_scope or "").strip("{} "))
        for key, tag in scope.items():
            labels.setdefault(key, tag)
        for key, value in (
            ("service", payload.service),
            ("host", payload.hostname),
            ("metric", payload.alert_metric),
        ):
            if value:
                labels[key] = value
        if payload.alert_priority in PRIORITY_SEVERITY:
            labels.setdefault("severity", PRIORITY_SEVERITY[payload.alert_priority])
        alert = make_alert(
            source=self.name,
            status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
            name=title or payload.event_type or "datadog alert",
            labels=labels,
            annotations={
                "summary": title,
                "description": payload.body.strip("%\n "),
                "transition": transition,
            },
            starts_at=at,
            ends_at=at if resolved else None,
            generator_url=payload.link,
            fingerprint=f"datadog:{payload.alert_id or payload.alert_cycle_key or title}"
            + "".join(f"|{k}:{v}" for k, v in sorted(scope.items())),
            times_in_hash=False,
        )
        return group_of(self.name, f"datadog:{payload.alert_id or payload.id}", [alert])


def _epoch_ms(value: str, field: str, source: str) -> datetime:
    try:
        millis = int(value)
    except ValueError:
        raise PayloadError(
            f"expected epoch milliseconds, got {value[:40]!r}", source=source, field=field
        ) from None
    return epoch_time(millis, field, source, millis=True)


def _tags(text: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for tag in filter(None, (t.strip() for t in text.split(","))):
        key, _, value = tag.partition(":")
        labels[key] = value or "true"
    return labels
