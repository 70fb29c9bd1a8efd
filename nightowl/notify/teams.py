"""``kind: teams`` — a Microsoft Teams incoming webhook (a Workflows webhook or a legacy connector)
receiving an Adaptive Card.

The body is a ``message`` with one ``application/vnd.microsoft.card.adaptive`` attachment (schema
1.4): the title, the status facts, the text, pending approvals (answered in nightowl: Teams cards
from a webhook cannot call back), and a link to the incident page. Workflows webhooks answer 202;
legacy connectors answer 200 with the body ``1`` — and sometimes 200 with an error text, which is
treated as a failure.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from nightowl.domain import Notification
from nightowl.notify.http import HttpNotifier
from nightowl.notify.protocol import Message
from nightowl.notify.routing import Notice
from nightowl.settings.base import secret_http_url

COLOUR = {"resolved": "Good", "escalated": "Attention", "awaiting_approval": "Warning"}


class TeamsConfig(BaseModel):
    """``kind: teams``: the incoming (Workflows) webhook URL, a secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    webhook_url: SecretStr
    timeout_seconds: float = 5.0

    _webhook_url = field_validator("webhook_url")(secret_http_url)


class TeamsNotifier(HttpNotifier[TeamsConfig]):
    """Posts an Adaptive Card per message. Teams answers 200 even for some refusals, so an answer
    body mentioning an error counts as a failure.
    """

    Config = TeamsConfig

    def endpoint(self) -> str:
        return self.config.webhook_url.get_secret_value()

    async def send(self, message: Message) -> Notification:
        """Post ``message`` as a card; ``ok=False`` with what Teams answered when it was refused."""
        notice = Notice.of(message)
        at = self.clock.now()
        try:
            response = await self.post_json(
                self.config.webhook_url.get_secret_value(), card(notice)
            )
        except httpx.HTTPError as exc:
            return Notification(
                channel=self.name,
                ok=False,
                sent_at=at,
                detail=f"Teams webhook unreachable ({type(exc).__name__})",
            )
        text = response.text.strip()
        ok = response.is_success and (text in ("", "1") or "error" not in text.lower())
        detail = f"Teams webhook answered {response.status_code}"
        if not ok and text:
            detail += f": {text[:200]}"
        return Notification(channel=self.name, ok=ok, sent_at=at, detail=detail)


def card(notice: Notice) -> dict[str, Any]:
    """The webhook body: a message with one Adaptive Card attachment."""
    facts = [
        {"title": "Status", "value": notice.status},
        {"title": "Incident", "value": notice.incident_id},
    ]
    if notice.service:
        facts.append({"title": "Service", "value": notice.service})
    if notice.severity:
        facts.append({"title": "Severity", "value": notice.severity})
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": notice.title,
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
            "color": COLOUR.get(notice.status, "Default"),
        },
        {"type": "FactSet", "facts": facts},
        {"type": "TextBlock", "text": notice.text, "wrap": True},
    ]
    for request in notice.approvals:
        body.append(
            {
                "type": "TextBlock",
                "wrap": True,
                "text": f"**Approval needed** ({request.id}): {request.plan}. "
                f"Rollback: {request.rollback}. Answer in nightowl before "
                f"{request.expires_at:%H:%M} UTC.",
            }
        )
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    actions = [{"type": "Action.OpenUrl", "title": "Open in nightowl", "url": notice.url}]
    actions = actions if notice.url else []
    actions += [
        {"type": "Action.OpenUrl", "title": "Alert source", "url": u} for u in notice.alert_links
    ]
    if actions:
        content["actions"] = actions
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": content,
            }
        ],
    }
