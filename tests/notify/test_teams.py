"""Microsoft Teams incoming webhooks (Workflows and legacy connectors) receiving an Adaptive Card,
against the documented formats (``httpx.MockTransport``)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from nightowl.clock import ScenarioClock
from nightowl.notify.routing import Notice, PendingApproval
from nightowl.notify.teams import TeamsConfig, TeamsNotifier

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)
URL = "https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/SECRETPART/xyz"


def teams(status: int = 202, text: str = "") -> tuple[TeamsNotifier, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, text=text)

    notifier = TeamsNotifier(
        "teams",
        TeamsConfig(webhook_url=SecretStr(URL)),
        ScenarioClock(AT),
        httpx.MockTransport(handler),
    )
    return notifier, seen


NOTICE = Notice(
    incident_id="inc-1",
    title="HighLatency on checkout",
    status="awaiting_approval",
    text="bad_deploy on checkout (0.97)",
    service="checkout",
    severity="critical",
    url="https://nightowl.example.org/ui/incidents/inc-1",
    approvals=(
        PendingApproval(
            id="apr-1",
            action="rollback",
            service="checkout",
            plan="roll back checkout to v2.4.0",
            rollback="re-deploy v2.4.1",
            expires_at=AT + timedelta(hours=1),
        ),
    ),
)


def test_the_message_is_an_adaptive_card() -> None:
    notifier, seen = teams()

    note = asyncio.run(notifier.send(NOTICE))

    assert (note.ok, note.detail) == (True, "Teams webhook answered 202")
    body = json.loads(seen[0].content)
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["text"] == "HighLatency on checkout"
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert facts == {
        "Status": "awaiting_approval",
        "Incident": "inc-1",
        "Service": "checkout",
        "Severity": "critical",
    }
    assert "roll back checkout to v2.4.0" in json.dumps(card["body"])
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in nightowl", "url": NOTICE.url}
    ]


def test_the_card_opens_the_alerts_own_page_too() -> None:
    notifier, seen = teams()
    graph = "http://prometheus.example:9090/graph?g0.expr=up"

    asyncio.run(notifier.send(NOTICE.model_copy(update={"alert_links": (graph,)})))

    card = json.loads(seen[0].content)["attachments"][0]["content"]
    assert card["actions"][1] == {"type": "Action.OpenUrl", "title": "Alert source", "url": graph}


@pytest.mark.parametrize(
    ("status", "text", "ok", "detail"),
    [
        (200, "1", True, "Teams webhook answered 200"),
        (
            200,
            "Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=0",
            False,
            "Teams webhook answered 200: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=0",
        ),
        (
            400,
            "Bad payload received by generic incoming webhook.",
            False,
            "Teams webhook answered 400: Bad payload received by generic incoming webhook.",
        ),
    ],
)
def test_answers_of_legacy_connectors_are_read(
    status: int, text: str, ok: bool, detail: str
) -> None:
    notifier, _ = teams(status, text)

    note = asyncio.run(notifier.send(NOTICE))

    assert (note.ok, note.detail) == (ok, detail)
    assert "SECRETPART" not in note.detail


def test_an_unreachable_webhook_is_not_ok() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    notifier = TeamsNotifier(
        "teams",
        TeamsConfig(webhook_url=SecretStr(URL)),
        ScenarioClock(AT),
        httpx.MockTransport(down),
    )

    note = asyncio.run(notifier.send(NOTICE))

    assert (note.ok, note.detail) == (False, "Teams webhook unreachable (ConnectError)")
