"""``kind: pagerduty`` — page a human through the PagerDuty Events API v2 when nightowl cannot
resolve an incident, and resolve the page when it recovers.

A message whose status is in ``trigger_on`` (default: ``escalated``) sends a ``trigger`` event; a
``resolved`` message sends ``resolve`` — only if this notifier triggered for the incident before.
The dedup key is the incident id, so repeated messages update one PagerDuty incident instead of
opening new ones, and the resolve finds it. Any other message is not a page: nothing is sent.

PagerDuty answers 202 ``{"status": "success", "dedup_key": …}``; 400 (invalid event, with
``errors``), 429 (throttled) and 5xx become ``ok=False`` with PagerDuty's message.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from nightowl.domain import Notification
from nightowl.notify.http import HttpNotifier
from nightowl.notify.protocol import Message
from nightowl.notify.routing import Notice
from nightowl.settings.base import http_url

SEVERITY = {"critical": "critical", "high": "error", "warning": "warning", "info": "info"}
"""nightowl severity → PagerDuty's (critical, error, warning, info)."""


class PagerDutyConfig(BaseModel):
    """``kind: pagerduty``: the Events API v2 integration key, and which statuses page a human."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    routing_key: SecretStr = Field(description="The integration key of an Events API v2 service.")
    url: str = "https://events.pagerduty.com/v2/enqueue"
    trigger_on: list[str] = Field(default_factory=lambda: ["escalated"])
    source: str = Field(default="nightowl", description="Used when the service is unknown.")
    timeout_seconds: float = 5.0

    _url = field_validator("url")(http_url)


class PagerDutyNotifier(HttpNotifier[PagerDutyConfig]):
    """Triggers a PagerDuty incident for the statuses in ``trigger_on`` and resolves it when
    nightowl's incident resolves (see the module docstring); any other message sends nothing.
    """

    Config = PagerDutyConfig

    def endpoint(self) -> str:
        return self.config.url

    async def send(self, message: Message) -> Notification:
        """Trigger, resolve, or skip, as the message's status says; never raises for a delivery
        failure.
        """
        notice = Notice.of(message)
        at = self.clock.now()
        if notice.status in self.config.trigger_on:
            action = "trigger"
        elif notice.status == "resolved" and self._triggered(notice):
            action = "resolve"
        else:
            return Notification(
                channel=self.name,
                ok=True,
                sent_at=at,
                detail=f"no page: the incident is {notice.status}",
            )
        ok, detail = await self._enqueue(event(notice, action, self.config))
        return Notification(channel=self.name, ok=ok, sent_at=at, detail=detail)

    def _triggered(self, notice: Notice) -> bool:
        return any(n.detail.startswith("trigger") for n in notice.sent_by(self.name))

    async def _enqueue(self, body: dict[str, Any]) -> tuple[bool, str]:
        action = body["event_action"]
        try:
            response = await self.post_json(self.config.url, body)
        except httpx.HTTPError as exc:
            return False, f"{action} not sent: PagerDuty unreachable ({type(exc).__name__})"
        if response.status_code == 202:
            return True, f"{action} accepted by PagerDuty (dedup key {body['dedup_key']})"
        return (
            False,
            f"{action} refused: PagerDuty answered {response.status_code}, {_why(response)}",
        )


def event(notice: Notice, action: str, config: PagerDutyConfig) -> dict[str, Any]:
    """The Events API v2 body for ``action`` (trigger or resolve) about ``notice``'s incident."""
    body: dict[str, Any] = {
        "routing_key": config.routing_key.get_secret_value(),
        "event_action": action,
        "dedup_key": notice.incident_id,
    }
    if action != "trigger":
        return body
    details: dict[str, Any] = {"incident": notice.incident_id, "status": notice.status}
    details["what happened"] = notice.text
    if notice.report_path:
        details["report"] = notice.report_path
    body["payload"] = {
        "summary": f"{notice.title}: {notice.text}"[:1024],
        "source": notice.service or config.source,
        "severity": SEVERITY.get(notice.severity or "", "error"),
        "component": notice.service,
        "class": "nightowl incident",
        "custom_details": details,
    }
    body["client"] = "nightowl"
    links = [{"href": u, "text": "Alert source"} for u in notice.alert_links]
    if notice.url:
        body["client_url"] = notice.url
        links.insert(0, {"href": notice.url, "text": "Open in nightowl"})
    if links:
        body["links"] = links
    return body


def _why(response: httpx.Response) -> str:
    """PagerDuty's own explanation: ``message`` and ``errors`` of its JSON answer."""
    try:
        answer = response.json()
    except ValueError:
        return response.text[:200] or "no explanation"
    if not isinstance(answer, dict):
        return str(answer)[:200]
    errors = "; ".join(str(e) for e in answer.get("errors") or [])
    message = str(answer.get("message") or answer.get("status") or "no explanation")
    return f"{message}{': ' + errors if errors else ''}"[:300]
