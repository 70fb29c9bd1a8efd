"""Slack: Block Kit messages through chat.postMessage (one thread per incident) or an incoming
webhook, tested against Slack's documented request and response formats with
``httpx.MockTransport``; request signatures checked with real HMAC-SHA256."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario
from pydantic import SecretStr, ValidationError

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.clock import ScenarioClock
from nightowl.domain import Incident, IncidentStatus, Notification
from nightowl.errors import AuthError, InputError
from nightowl.notify.routing import Notice, PendingApproval, unwrap
from nightowl.notify.slack import (
    APPROVE,
    DENY,
    SlackConfig,
    SlackNotifier,
    answered_blocks,
    parse_interaction,
    verify_signature,
)
from nightowl.workflow import engine
from tests.approvals.flow import TOKEN, auth, pending_request, settings_for

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)
BOT = "xoxb-1111111111-2222222222-abcdefghijklmnop"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
HOOK = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"


def sign(body: bytes, timestamp: int, secret: str = SIGNING) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class FakeSlack:
    """Slack's Web API as documented: chat.postMessage answers 200 with ``ok`` and ``ts``."""

    def __init__(self, answer: dict[str, Any] | None = None, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or {"ok": True, "channel": "C0INCIDENTS", "ts": "1700000000.000100"}
        self.status = status

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "hooks.slack.com":
            return httpx.Response(self.status, text="ok" if self.status == 200 else "no_service")
        return httpx.Response(self.status, json=self.answer, headers={"retry-after": "30"})

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def notifier(fake: FakeSlack, **config: Any) -> SlackNotifier:
    options = {"bot_token": BOT, "channel": "#incidents", **config}
    return SlackNotifier(
        "slack",
        SlackConfig.model_validate(options),
        ScenarioClock(AT),
        httpx.MockTransport(fake.handler),
    )


def notice(**changes: Any) -> Notice:
    base: dict[str, Any] = {
        "incident_id": "inc-1",
        "title": "HighLatency on checkout",
        "status": "awaiting_approval",
        "text": "bad_deploy on checkout (0.97)",
        "service": "checkout",
        "severity": "critical",
        "url": "https://nightowl.example.org/ui/incidents/inc-1",
    }
    return Notice(**{**base, **changes})


REQUEST = PendingApproval(
    id="apr-0123456789abcdef",
    action="rollback",
    service="checkout",
    plan="roll back checkout from v2.4.1 to v2.4.0",
    rollback="re-deploy v2.4.1",
    blast_radius="1 of 4 pods at a time",
    expires_at=AT + timedelta(hours=1),
)


def test_the_first_message_posts_blocks_with_the_bot_token() -> None:
    fake = FakeSlack()

    note = asyncio.run(notifier(fake).send(notice()))

    assert note.ok, note.detail
    assert note.detail == "posted to C0INCIDENTS (ts 1700000000.000100)"
    [request] = fake.requests
    assert str(request.url) == "https://slack.com/api/chat.postMessage"
    assert request.headers["authorization"] == f"Bearer {BOT}"
    [body] = fake.bodies()
    assert body["channel"] == "#incidents"
    assert "thread_ts" not in body
    assert body["text"].startswith("HighLatency on checkout: bad_deploy")
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "HighLatency on checkout"},
    }
    assert "<https://nightowl.example.org/ui/incidents/inc-1|Open in nightowl>" in json.dumps(
        body["blocks"]
    )
    assert BOT not in note.detail


def test_the_alerts_own_link_is_in_the_message_escaped_for_slack() -> None:
    fake = FakeSlack()
    url = "https://grafana.example/d/abc?var=a|b&x=<1>"

    asyncio.run(notifier(fake).send(notice(alert_links=(url,))))

    [body] = fake.bodies()
    context = json.dumps(body["blocks"][-1])
    assert "<https://grafana.example/d/abc?var=a%7Cb&amp;x=&lt;1&gt;|Alert source>" in context


def test_later_messages_reply_in_the_incidents_thread() -> None:
    fake = FakeSlack()
    first = Notification(
        channel="slack", ok=True, sent_at=AT, detail="posted to C0INCIDENTS (ts 1700000000.000100)"
    )
    other = Notification(channel="email", ok=True, sent_at=AT, detail="posted to X (ts 9.9)")

    note = asyncio.run(notifier(fake).send(notice(status="resolved", history=(other, first))))

    assert fake.bodies()[0]["thread_ts"] == "1700000000.000100"
    assert note.detail == "replied in the thread of C0INCIDENTS (ts 1700000000.000100)"


def test_pending_approvals_get_buttons_only_with_a_signing_secret() -> None:
    with_secret, without = FakeSlack(), FakeSlack()

    asyncio.run(notifier(with_secret, signing_secret=SIGNING).send(notice(approvals=(REQUEST,))))
    asyncio.run(notifier(without).send(notice(approvals=(REQUEST,))))

    blocks = with_secret.bodies()[0]["blocks"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert actions["block_id"] == f"approval:{REQUEST.id}"
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        (APPROVE, REQUEST.id),
        (DENY, REQUEST.id),
    ]
    assert "roll back checkout from v2.4.1 to v2.4.0" in json.dumps(blocks)
    assert "1 of 4 pods at a time" in json.dumps(blocks)
    assert not [b for b in without.bodies()[0]["blocks"] if b["type"] == "actions"]


@pytest.mark.parametrize(
    ("answer", "status", "expected"),
    [
        (
            {"ok": False, "error": "channel_not_found"},
            200,
            "chat.postMessage failed: channel_not_found",
        ),
        ({"ok": False, "error": "invalid_auth"}, 200, "chat.postMessage failed: invalid_auth"),
        (
            {"ok": False, "error": "ratelimited"},
            429,
            "Slack rate-limited the message (retry after 30s)",
        ),
    ],
)
def test_slack_errors_are_not_ok(answer: dict[str, Any], status: int, expected: str) -> None:
    note = asyncio.run(notifier(FakeSlack(answer, status)).send(notice()))

    assert (note.ok, note.detail) == (False, expected)


def test_an_unreachable_slack_is_not_ok_and_does_not_raise() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    slack = SlackNotifier(
        "slack",
        SlackConfig(bot_token=SecretStr(BOT), channel="#x"),
        ScenarioClock(AT),
        httpx.MockTransport(refuse),
    )

    note = asyncio.run(slack.send(notice()))

    assert (note.ok, note.detail) == (False, "Slack unreachable: ConnectError")


def test_the_incoming_webhook_posts_blocks_and_never_shows_its_url() -> None:
    fake = FakeSlack()
    slack = notifier(fake, bot_token=None, channel=None, webhook_url=HOOK)

    ok = asyncio.run(slack.send(notice()))
    fake.status = 404
    failed = asyncio.run(slack.send(notice()))

    assert str(fake.requests[0].url) == HOOK
    assert "blocks" in fake.bodies()[0]
    assert "authorization" not in fake.requests[0].headers
    assert (ok.ok, ok.detail) == (True, "Slack webhook answered 200")
    assert (failed.ok, failed.detail) == (False, "Slack webhook answered 404: no_service")
    assert "XXXXSECRETXXXX" not in ok.detail + failed.detail


def test_the_config_takes_exactly_one_way_to_post() -> None:
    with pytest.raises(ValidationError, match="either bot_token"):
        SlackConfig()
    with pytest.raises(ValidationError, match="bot_token needs a channel"):
        SlackConfig(bot_token=SecretStr(BOT))


# request signatures ---------------------------------------------------------------------------


def test_a_correctly_signed_fresh_request_verifies() -> None:
    body = b"payload=%7B%22type%22%3A%22block_actions%22%7D"
    now = int(time.time())

    verify_signature(SIGNING, str(now), body, sign(body, now), now + 10)


@pytest.mark.parametrize(
    ("timestamp_offset", "secret", "tamper", "message"),
    [
        (0, "another-secret", False, "does not match the signing secret"),
        (0, SIGNING, True, "does not match the signing secret"),
        (-301, SIGNING, False, "older than five minutes"),
        (+301, SIGNING, False, "older than five minutes"),
    ],
)
def test_a_wrong_tampered_or_stale_signature_is_refused(
    timestamp_offset: int, secret: str, tamper: bool, message: str
) -> None:
    now = int(time.time())
    sent = now + timestamp_offset
    body = b"payload=%7B%7D"
    signature = sign(body, sent, secret)

    with pytest.raises(AuthError, match=message):
        verify_signature(SIGNING, str(sent), body + (b"x" if tamper else b""), signature, now)


def test_missing_headers_are_refused() -> None:
    with pytest.raises(AuthError, match="missing X-Slack-Request-Timestamp or X-Slack-Signature"):
        verify_signature(SIGNING, None, b"", None, time.time())
    with pytest.raises(AuthError, match="not a unix time"):
        verify_signature(SIGNING, "yesterday", b"", "v0=00", time.time())


def test_interaction_payloads_are_read_or_refused_in_one_line() -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": "U012", "username": "alice"},
        "actions": [{"action_id": APPROVE, "value": "apr-1", "block_id": "approval:apr-1"}],
        "response_url": "https://hooks.slack.com/actions/T/1/xyz",
        "message": {
            "blocks": [
                {"type": "header", "block_id": "h"},
                {"type": "actions", "block_id": "approval:apr-1"},
            ]
        },
    }

    interaction = parse_interaction(json.dumps(payload))

    assert interaction.actions[0].value == "apr-1"
    assert answered_blocks(interaction, "apr-1", "approved by alice") == [
        {"type": "header", "block_id": "h"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "approved by alice"}]},
    ]
    with pytest.raises(InputError, match="no payload field"):
        parse_interaction(None)
    with pytest.raises(InputError, match="not valid JSON"):
        parse_interaction("{not json")


# the interactivity endpoint, end to end ---------------------------------------------------------


def interaction_form(user: str, action: str, request_id: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower()},
        "actions": [
            {"action_id": action, "value": request_id, "block_id": f"approval:{request_id}"}
        ],
        "response_url": "https://hooks.slack.com/actions/T000/1234/abcdef",
        "message": {"blocks": [{"type": "actions", "block_id": f"approval:{request_id}"}]},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def signed(body: bytes, secret: str = SIGNING) -> dict[str, str]:
    now = int(time.time())
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(now),
        "x-slack-signature": sign(body, now, secret),
    }


def test_approve_in_slack_answers_the_request_and_the_incident_proceeds(tmp_path: Path) -> None:
    slack_config = {
        "name": "slack",
        "kind": "slack",
        "bot_token": BOT,
        "channel": "#incidents",
        "signing_secret": SIGNING,
        "users": {"U0ALICE": "alice", "U0MALLORY": "mallory"},
    }
    settings = settings_for(
        tmp_path, policy={"autonomy": "suggest"}, notify={"notifiers": [slack_config]}
    )
    app = Nightowl(settings)
    fake = FakeSlack()
    [slack] = [n for n in unwrap(app.notifiers) if isinstance(n, SlackNotifier)]
    slack.transport = httpx.MockTransport(fake.handler)
    app.launch()
    try:
        outcome = asyncio.run(_approve_through_slack(app, fake))
    finally:
        app.shutdown()

    statuses, request_id, incident = outcome
    assert statuses == {"unsigned": 401, "forged": 401, "mallory": 200, "alice": 200, "again": 200}
    assert incident.status is IncidentStatus.RESOLVED
    assert [d.verdict.value for d in incident.decisions] == ["allow"]
    assert "approved by alice" in incident.decisions[0].reasons[-1]
    responses = [json.loads(r.content) for r in fake.requests if r.url.path.startswith("/actions/")]
    assert responses[0]["response_type"] == "ephemeral"
    assert "mallory (responder) may not answer approval requests" in responses[0]["text"]
    assert responses[1]["replace_original"] is True
    assert f"`{request_id}` approved by alice" in responses[1]["text"]
    assert not [b for b in responses[1]["blocks"] if b["type"] == "actions"]
    assert "already approved by alice" in responses[2]["text"]
    threads = [b.get("thread_ts") for b in fake.bodies() if "channel" in b]
    assert threads[0] is None
    assert set(threads[1:]) == {"1700000000.000100"}


async def _approve_through_slack(
    app: Nightowl, fake: FakeSlack
) -> tuple[dict[str, int], str, Incident]:
    transport = httpx.ASGITransport(app=create_api(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
        accepted = await client.post(
            "/api/v1/webhooks/alertmanager",
            json=alertmanager_payload(load_scenario(bundled_scenario("checkout-bad-deploy"))),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        incident_id = accepted.json()["incident_id"]
        request_id = (await pending_request(client, incident_id))["id"]
        # the page is sent after the request is opened: wait for it as a person would
        deadline = asyncio.get_running_loop().time() + 30
        while f'"value": "{request_id}"' not in json.dumps(fake.bodies()):
            assert asyncio.get_running_loop().time() < deadline, (
                "the Slack page carries the buttons"
            )
            await asyncio.sleep(0.05)
        url = "/api/v1/integrations/slack/interactions"
        body = interaction_form("U0ALICE", APPROVE, request_id)
        statuses = {
            "unsigned": (await client.post(url, content=body)).status_code,
            "forged": (
                await client.post(url, content=body, headers=signed(body, "x" * 32))
            ).status_code,
        }
        mallory = interaction_form("U0MALLORY", APPROVE, request_id)
        statuses["mallory"] = (
            await client.post(url, content=mallory, headers=signed(mallory))
        ).status_code
        statuses["alice"] = (await client.post(url, content=body, headers=signed(body))).status_code
        statuses["again"] = (await client.post(url, content=body, headers=signed(body))).status_code
        await engine.wait_for(incident_id, timeout=60)
        incident = Incident.model_validate(
            (await client.get(f"/api/v1/incidents/{incident_id}", headers=auth("alice"))).json()
        )
        return statuses, request_id, incident
