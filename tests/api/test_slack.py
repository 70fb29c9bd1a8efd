"""Slack's "Diagnosis right" button: shown on a finished incident's message (with a link to the
correction form), recorded as incident memory's feedback by the mapped nightowl user, refused to
a viewer and to an unmapped Slack user; Slack's documented interaction format."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.notify.routing import unwrap
from nightowl.notify.slack import CONFIRM, SlackNotifier
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


def form(user: str, incident_id: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower()},
        "actions": [{"action_id": CONFIRM, "value": incident_id, "block_id": "feedback:x"}],
        "response_url": "https://hooks.slack.com/actions/T000/1234/abcdef",
        "message": {"blocks": [{"type": "actions", "block_id": f"feedback:{incident_id}"}]},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def headers(body: bytes) -> dict[str, str]:
    now = int(time.time())
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(now),
        "x-slack-signature": sign(body, now),
    }


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
