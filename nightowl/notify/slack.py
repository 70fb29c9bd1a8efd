"""``kind: slack`` — Block Kit messages, a thread per incident, Approve / Deny buttons.

Two ways to post: a bot token (``chat.postMessage``; the first message about an incident starts a
thread and every later one replies in it — the thread's ``ts`` is kept in the incident's own
notification record, so it survives restarts and is shared by every worker) or an incoming webhook
(no threads: Slack does not say where a webhook message went).

Pending approval requests get Approve / Deny buttons when a ``signing_secret`` is configured: Slack
POSTs the click to ``/api/v1/integrations/slack/interactions``, which checks the request signature
(``verify_signature``: HMAC-SHA256 of ``v0:{timestamp}:{body}``, at most five minutes old), maps the
Slack user to a nightowl user (``users``), and answers through the approvals API rules.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from nightowl.domain import Notification
from nightowl.errors import AuthError, InputError
from nightowl.notify.http import HttpNotifier
from nightowl.notify.protocol import Message
from nightowl.notify.routing import Notice
from nightowl.settings.base import http_url, secret_http_url

REPLAY_WINDOW_SECONDS = 300
APPROVE, DENY = "nightowl_approve", "nightowl_deny"
CONFIRM = "nightowl_confirm"
"""The "Diagnosis right" button of a finished incident (incident memory's feedback)."""
HELPED, UNHELPFUL = "nightowl_rate_helped", "nightowl_rate_unhelpful"
"""The "<action> helped" / "<action> did not help" buttons (a rating; value ``incident|kind``)."""
RATED_ACTIONS = 3
"""Rating buttons for at most this many action kinds: two buttons each, beside the confirm and
correct buttons, keep the block within one row on a phone (Slack allows 25 elements)."""
FINISHED = ("resolved", "escalated")
THREAD = re.compile(r"\(ts (\d+\.\d+)\)")
STATUS_EMOJI = {
    "resolved": ":white_check_mark:",
    "escalated": ":rotating_light:",
    "awaiting_approval": ":raised_hand:",
}


class SlackConfig(BaseModel):
    """``kind: slack``: either a bot token and channel (threads, updates) or an incoming webhook.

    With ``signing_secret`` the messages carry Approve / Deny buttons whose answers Slack posts
    back; ``users`` maps Slack user ids to nightowl users, who answer as themselves.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    bot_token: SecretStr | None = Field(default=None, description="xoxb-…, for chat.postMessage")
    channel: str | None = Field(default=None, description="Channel id or name (with bot_token).")
    webhook_url: SecretStr | None = Field(default=None, description="An incoming webhook URL.")
    signing_secret: SecretStr | None = Field(
        default=None, description="Enables Approve / Deny buttons (Slack app → Basic Information)."
    )
    users: dict[str, str] = Field(
        default_factory=dict, description="Slack user id → nightowl user, for button answers."
    )
    api_url: str = "https://slack.com/api"
    timeout_seconds: float = 5.0

    _api_url = field_validator("api_url")(http_url)
    _webhook_url = field_validator("webhook_url")(secret_http_url)

    @model_validator(mode="after")
    def _one_way(self) -> SlackConfig:
        if (self.bot_token is None) == (self.webhook_url is None):
            raise ValueError("give either bot_token (with channel) or webhook_url")
        if self.bot_token is not None and not self.channel:
            raise ValueError("bot_token needs a channel")
        return self


class SlackNotifier(HttpNotifier[SlackConfig]):
    """Posts Block Kit messages: with a bot token, the first message about an incident opens a
    thread and later ones reply in it; with a webhook, each message stands alone. Rate limits and
    refusals come back as ``ok=False`` with Slack's reason.
    """

    Config = SlackConfig

    def endpoint(self) -> str:
        hook = self.config.webhook_url
        return hook.get_secret_value() if hook else self.config.api_url

    async def send(self, message: Message) -> Notification:
        """Post ``message`` (in the incident's thread when there is one); never raises for a
        failure.
        """
        notice = Notice.of(message)
        blocks = build_blocks(notice, buttons=self.config.signing_secret is not None)
        text = f"{notice.title}: {notice.text}"[:3000]
        at = self.clock.now()
        try:
            if self.config.bot_token is not None:
                thread = thread_of(notice, self.name)
                detail = await self._post_message(text, blocks, thread)
            else:
                detail = await self._post_webhook(text, blocks)
        except _Failed as exc:
            return Notification(channel=self.name, ok=False, sent_at=at, detail=str(exc))
        return Notification(channel=self.name, ok=True, sent_at=at, detail=detail)

    async def _post_message(
        self, text: str, blocks: list[dict[str, Any]], thread: str | None
    ) -> str:
        assert self.config.bot_token is not None
        body: dict[str, Any] = {"channel": self.config.channel, "text": text, "blocks": blocks}
        if thread:
            body["thread_ts"] = thread
        token = self.config.bot_token.get_secret_value()
        url = f"{self.config.api_url.rstrip('/')}/chat.postMessage"
        response = await self._post(url, body, {"Authorization": f"Bearer {token}"})
        try:
            answer = response.json()
        except ValueError:
            raise _Failed(
                f"chat.postMessage answered {response.status_code} without JSON"
            ) from None
        if not answer.get("ok"):
            raise _Failed(f"chat.postMessage failed: {answer.get('error', 'unknown error')}")
        channel, ts = answer.get("channel", self.config.channel), answer.get("ts", "")
        if thread:
            return f"replied in the thread of {channel} (ts {thread})"
        return f"posted to {channel} (ts {ts})"

    async def _post_webhook(self, text: str, blocks: list[dict[str, Any]]) -> str:
        assert self.config.webhook_url is not None
        response = await self._post(
            self.config.webhook_url.get_secret_value(), {"text": text, "blocks": blocks}, {}
        )
        if not response.is_success:
            raise _Failed(f"Slack webhook answered {response.status_code}: {response.text[:200]}")
        return f"Slack webhook answered {response.status_code}"

    async def _post(
        self, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        try:
            response = await self.post_json(url, body, headers)
        except httpx.HTTPError as exc:
            raise _Failed(f"Slack unreachable: {type(exc).__name__}") from None
        if response.status_code == 429:
            retry = response.headers.get("retry-after", "?")
            raise _Failed(f"Slack rate-limited the message (retry after {retry}s)")
        return response

    async def respond(self, response_url: str, body: dict[str, Any]) -> bool:
        """Update a message through an interaction's ``response_url``; False if Slack refused."""
        try:
            response = await self._post(response_url, body, {})
        except _Failed:
            return False
        return response.is_success


class _Failed(Exception):
    """A delivery failure, already phrased for the notification record."""


def thread_of(notice: Notice, channel: str) -> str | None:
    """The ``ts`` of the first message this notifier posted about the incident, if any."""
    for note in notice.sent_by(channel):
        if found := THREAD.search(note.detail):
            return found.group(1)
    return None


def build_blocks(notice: Notice, *, buttons: bool) -> list[dict[str, Any]]:
    """The Block Kit blocks of one message (Slack limits: 50 blocks, 3000 characters a text)."""
    emoji = STATUS_EMOJI.get(notice.status, ":owl:")
    fields = [f"*Status*\n{notice.status}", f"*Incident*\n`{notice.incident_id}`"]
    if notice.service:
        fields.append(f"*Service*\n{notice.service}")
    if notice.severity:
        fields.append(f"*Severity*\n{notice.severity}")
    if notice.owners:
        fields.append(f"*Owners*\n{', '.join(notice.owners[:5])}")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notice.title[:150]}},
        {"type": "section", "text": _md(f"{emoji} {notice.text}"[:3000])},
        {"type": "section", "fields": [_md(f) for f in fields]},
    ]
    for request in notice.approvals[:10]:
        lines = [f"*Approval needed:* {request.plan}", f"*Rollback:* {request.rollback}"]
        if request.blast_radius:
            lines.append(f"*Blast radius:* {request.blast_radius}")
        lines.append(f"Expires {request.expires_at:%Y-%m-%d %H:%M} UTC · `{request.id}`")
        blocks.append({"type": "section", "text": _md("\n".join(lines)[:3000])})
        if buttons:
            blocks.append(_buttons(request.id))
    if buttons and notice.status in FINISHED:
        blocks.append(_feedback_buttons(notice))
    links = [f"<{notice.url}|Open in nightowl>"] if notice.url else []
    links += [f"<{_link(u)}|Alert source>" for u in notice.alert_links]
    if notice.report_path:
        links.append(f"report: `{notice.report_path}`")
    if links:
        blocks.append({"type": "context", "elements": [_md(" · ".join(links))]})
    return blocks


def _buttons(request_id: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"approval:{request_id}",
        "elements": [
            {
                "type": "button",
                "action_id": APPROVE,
                "text": {"type": "plain_text", "text": "Approve"},
                "style": "primary",
                "value": request_id,
            },
            {
                "type": "button",
                "action_id": DENY,
                "text": {"type": "plain_text", "text": "Deny"},
                "style": "danger",
                "value": request_id,
                "confirm": {
                    "title": {"type": "plain_text", "text": "Deny this action?"},
                    "text": {"type": "plain_text", "text": "Nothing will be executed."},
                    "confirm": {"type": "plain_text", "text": "Deny"},
                    "deny": {"type": "plain_text", "text": "Cancel"},
                },
            },
        ],
    }


def _link(url: str) -> str:
    """A URL inside Slack's ``<url|text>``: its control characters escaped, as Slack documents."""
    return url.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "%7C")


def _feedback_buttons(notice: Notice) -> dict[str, Any]:
    """Confirm the diagnosis or rate an action in Slack; a correction names the true cause, so it
    links to the incident page's form (a button cannot carry it)."""
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": CONFIRM,
            "text": {"type": "plain_text", "text": "Diagnosis right"},
            "value": notice.incident_id,
        }
    ]
    if notice.url:
        elements.append(
            {
                "type": "button",
                "action_id": "nightowl_correct_link",
                "text": {"type": "plain_text", "text": "Diagnosis wrong: correct it"},
                "url": f"{notice.url}#memory",
            }
        )
    for kind in notice.actions_taken[:RATED_ACTIONS]:
        for action_id, said in ((HELPED, "helped"), (UNHELPFUL, "did not help")):
            elements.append({
                "type": "button", "action_id": action_id,
                "text": {"type": "plain_text", "text": f"{kind} {said}"[:75]},
                "value": f"{notice.incident_id}|{kind}"[:2000],
            })  # fmt: skip
    return {"type": "actions", "block_id": f"feedback:{notice.incident_id}", "elements": elements}


def _md(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


# interactions ------------------------------------------------------------------------------------


def verify_signature(
    secret: str, timestamp: str | None, body: bytes, signature: str | None, now: float
) -> None:
    """Check Slack's request signature; AuthError (one line, no secret) if it does not hold."""
    if not timestamp or not signature:
        raise AuthError("missing X-Slack-Request-Timestamp or X-Slack-Signature header")
    try:
        sent = int(timestamp)
    except ValueError:
        raise AuthError("X-Slack-Request-Timestamp is not a unix time") from None
    if abs(now - sent) > REPLAY_WINDOW_SECONDS:
        raise AuthError("the Slack request is older than five minutes (or the clocks disagree)")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise AuthError("the Slack request signature does not match the signing secret")


class SlackUser(BaseModel):
    """The user who pressed a button, as Slack's interaction payload names them."""

    id: str
    username: str | None = None
    name: str | None = None


class SlackAction(BaseModel):
    """The button pressed: its action id (``nightowl_approve`` or ``nightowl_deny``) and value
    (the approval request id).
    """

    action_id: str
    value: str = ""


class Interaction(BaseModel):
    """The part of a ``block_actions`` payload nightowl reads."""

    type: str
    user: SlackUser
    actions: list[SlackAction] = []
    response_url: str | None = None
    message: dict[str, Any] | None = None


def parse_interaction(form_payload: str | None) -> Interaction:
    """The ``payload`` form field of an interaction request; InputError if unreadable."""
    if not form_payload:
        raise InputError("the Slack interaction has no payload field")
    try:
        return Interaction.model_validate(json.loads(form_payload))
    except (ValueError, ValidationError):
        raise InputError(
            "the Slack interaction payload is not valid JSON of block_actions"
        ) from None


def answered_blocks(
    interaction: Interaction,
    request_id: str,
    line: str,
    *,
    block: str = "approval",
    value: str | None = None,
) -> list[dict[str, Any]]:
    """The original message without the answered buttons (``<block>:<id>``; only those whose
    value is ``value`` when given, such as one action's ratings), with who answered."""
    original = (interaction.message or {}).get("blocks") or []
    kept = []
    for b in original:
        if b.get("block_id") != f"{block}:{request_id}":
            kept.append(b)
        elif value is not None:
            rest = [e for e in b.get("elements") or [] if e.get("value") != value]
            kept += [{**b, "elements": rest}] if rest else []
    return [*kept, {"type": "context", "elements": [_md(line)]}]
