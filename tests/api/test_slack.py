"""Slack's "Diagnosis right" and "<action> helped / did not help" buttons: shown on a finished
incident's message (with a link to the correction form), recorded as incident memory's feedback
by the mapped nightowl user, refused to a viewer and to an unmapped Slack user; Slack's documented
interaction format."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.notify.routing import unwrap
from nightowl.notify.slack import CONFIRM, HELPED, UNHELPFUL, SlackNotifier
from tests.approvals.flow import settings_for
from tests.notify.test_slack import BOT, SIGNING, FakeSlack, notice, notifier, sign
from tests.store.samples import T0

URL = "/api/v1/integrations/slack/interactions"


def test_a_finished_incident_gets_the_feedback_buttons_only_with_a_signing_secret() -> None:
    fake, plain = FakeSlack(), FakeSlack()
    asyncio.run(notifier(fake, signing_secret=SIGNING).send(notice(status="resolved")))
    asyncio.run(notifier(fake, signing_secret=SIGNING).send(notice(status="investigating")))
    asyncio.run(notifier(plain).send(notice(status="resolved")))

    finished, ongoing = (b["blocks"] for b in fake.bodies())
    [actions] = [b for b in finished if b["type"] == "actions"]
    assert actions["block_id"] == "feedback:inc-1"
    confirm, correct = actions["elements"]
    assert (confirm["action_id"], confirm["value"]) == (CONFIRM, "inc-1")
    assert correct["url"] == "https://nightowl.example.org/ui/incidents/inc-1#memory"
    assert not [b for b in ongoing if b["type"] == "actions"]
    assert not [b for b in plain.bodies()[0]["blocks"] if b["type"] == "actions"]


def form(
    user: str,
    incident_id: str,
    action_id: str = CONFIRM,
    value: str | None = None,
    elements: list[dict[str, Any]] | None = None,
) -> bytes:
    block = {"type": "actions", "block_id": f"feedback:{incident_id}", "elements": elements or []}
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower()},
        "actions": [
            {"action_id": action_id, "value": value or incident_id, "block_id": "feedback:x"}
        ],
        "response_url": "https://hooks.slack.com/actions/T000/1234/abcdef",
        "message": {"blocks": [block]},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def headers(body: bytes) -> dict[str, str]:
    now = int(time.time())
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(now),
        "x-slack-signature": sign(body, now),
    }


def test_each_action_taken_gets_its_helped_and_did_not_help_buttons() -> None:
    fake = FakeSlack()
    resolved = notice(status="resolved", actions_taken=("rollback", "restart"))
    asyncio.run(notifier(fake, signing_secret=SIGNING).send(resolved))
    [actions] = [b for b in fake.bodies()[0]["blocks"] if b["type"] == "actions"]
    rated = [(e["action_id"], e["value"], e["text"]["text"]) for e in actions["elements"][2:]]
    assert rated == [
        (HELPED, "inc-1|rollback", "rollback helped"),
        (UNHELPFUL, "inc-1|rollback", "rollback did not help"),
        (HELPED, "inc-1|restart", "restart helped"),
        (UNHELPFUL, "inc-1|restart", "restart did not help"),
    ]


def test_diagnosis_right_in_slack_is_recorded_as_the_mapped_user(tmp_path: Path) -> None:
    slack = {
        "name": "slack",
        "kind": "slack",
        "bot_token": BOT,
        "channel": "#incidents",
        "signing_secret": SIGNING,
        "users": {"U0BOB": "bob", "U0VIC": "vic"},
    }
    settings = settings_for(
        tmp_path,
        notify={"notifiers": [slack]},
        ui={"users": {"bob": {"role": "responder"}, "vic": {"role": "viewer"}}},
    )
    app = Nightowl(settings)
    fake = FakeSlack()
    [notifier_] = [n for n in unwrap(app.notifiers) if isinstance(n, SlackNotifier)]
    notifier_.transport = httpx.MockTransport(fake.handler)
    app.store.create_incident(
        incident_id="inc-1", correlation_key="k", title="t", service="checkout", severity=None,
        opened_at=T0,
    )  # fmt: skip

    async def clicks() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            out = []
            for user, incident_id in (("U0VIC", "inc-1"), ("U0NOBODY", "inc-1"),
                                      ("U0BOB", "nope"), ("U0BOB", "inc-1")):  # fmt: skip
                body = form(user, incident_id)
                out.append(await client.post(URL, content=body, headers=headers(body)))
            return out

    try:
        answers = asyncio.run(clicks())
        said = app.records.memory.said("inc-1")
        audited = [r.kind for r in app.audit.records(incident_id="inc-1")]
    finally:
        app.shutdown()

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    viewer, stranger, unknown, bob = (a.json()["text"] for a in answers)
    assert "vic (viewer) may not confirm or correct a diagnosis" in viewer
    assert "not mapped to a nightowl user" in stranger
    assert "nope" in unknown
    assert bob == ":white_check_mark: diagnosis of `inc-1` confirmed by bob"
    assert [(f.author, f.verdict.value) for f in said] == [("bob", "confirm")]
    assert "memory.feedback" in audited
    replies = [json.loads(r.content) for r in fake.requests if r.url.path.startswith("/actions/")]
    assert replies[-1]["replace_original"] is True
    assert not [b for b in replies[-1]["blocks"] if b["type"] == "actions"]


def test_a_rating_in_slack_is_recorded_and_leaves_the_other_actions_buttons(
    tmp_path: Path,
) -> None:
    slack = {"name": "slack", "kind": "slack", "bot_token": BOT, "channel": "#incidents",
             "signing_secret": SIGNING, "users": {"U0BOB": "bob"}}  # fmt: skip
    settings = settings_for(tmp_path, notify={"notifiers": [slack]},
                            ui={"users": {"bob": {"role": "responder"}}})  # fmt: skip
    app = Nightowl(settings)
    fake = FakeSlack()
    [notifier_] = [n for n in unwrap(app.notifiers) if isinstance(n, SlackNotifier)]
    notifier_.transport = httpx.MockTransport(fake.handler)
    app.store.create_incident(
        incident_id="inc-1", correlation_key="k", title="t", service="checkout", severity=None,
        opened_at=T0,
    )  # fmt: skip
    elements = [{"action_id": a, "value": f"inc-1|{k}"} for k in ("rollback", "restart")
                for a in (HELPED, UNHELPFUL)]  # fmt: skip
    body = form("U0BOB", "inc-1", UNHELPFUL, "inc-1|restart", elements)

    async def click() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await client.post(URL, content=body, headers=headers(body))

    try:
        answer = asyncio.run(click())
        said = app.records.memory.said("inc-1")
        audited = [r.kind for r in app.audit.records(incident_id="inc-1")]
    finally:
        app.shutdown()
    assert answer.json()["text"] == ":memo: bob says restart did not help on `inc-1`"
    assert [(f.author, f.verdict.value, f.action, f.helped) for f in said] == [
        ("bob", "rate", "restart", False)
    ]
    assert "memory.feedback" in audited
    reply = json.loads(fake.requests[-1].content)
    [left] = [b for b in reply["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in left["elements"]] == ["inc-1|rollback", "inc-1|rollback"]
