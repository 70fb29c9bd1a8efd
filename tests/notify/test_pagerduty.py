"""PagerDuty Events API v2, against its documented request and response formats
(``httpx.MockTransport``): trigger on escalation with the incident id as dedup key, resolve on
recovery only after a trigger, PagerDuty's refusals as ``ok=False`` with its own explanation."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from nightowl.clock import ScenarioClock
from nightowl.domain import Notification
from nightowl.notify.pagerduty import PagerDutyConfig, PagerDutyNotifier
from nightowl.notify.protocol import Message
from nightowl.notify.routing import Notice

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)
KEY = "R0UTINGKEY0123456789ABCDEFGHIJKL"


class FakePagerDuty:
    def __init__(self, status: int = 202, answer: dict[str, Any] | None = None) -> None:
        self.status = status
        self.answer = answer
        self.events: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert str(request.url) == "https://events.pagerduty.com/v2/enqueue"
        event = json.loads(request.content)
        self.events.append(event)
        answer = self.answer or {
            "status": "success",
            "message": "Event processed",
            "dedup_key": event["dedup_key"],
        }
        return httpx.Response(self.status, json=answer)


def pager(fake: FakePagerDuty, **config: Any) -> PagerDutyNotifier:
    return PagerDutyNotifier(
        "pagerduty",
        PagerDutyConfig.model_validate({"routing_key": KEY, **config}),
        ScenarioClock(AT),
        httpx.MockTransport(fake.handler),
    )


def notice(status: str, **changes: Any) -> Notice:
    return Notice(
        incident_id="inc-354656031908",
        title="HighLatency on checkout",
        status=status,
        text="rollback did not help: checkout error_rate 0.06 > 0.01",
        service="checkout",
        severity="critical",
        url="https://nightowl.example.org/ui/incidents/inc-354656031908",
        **changes,
    )


def test_an_escalated_incident_triggers_a_page_keyed_by_the_incident() -> None:
    fake = FakePagerDuty()

    note = asyncio.run(pager(fake).send(notice("escalated")))

    assert note.ok
    assert note.detail == "trigger accepted by PagerDuty (dedup key inc-354656031908)"
    [event] = fake.events
    assert event["routing_key"] == KEY
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == "inc-354656031908"
    payload = event["payload"]
    assert payload["summary"].startswith("HighLatency on checkout: rollback did not help")
    assert (payload["source"], payload["severity"], payload["component"]) == (
        "checkout",
        "critical",
        "checkout",
    )
    assert payload["custom_details"]["incident"] == "inc-354656031908"
    assert event["links"] == [{"href": notice("x").url, "text": "Open in nightowl"}]
    assert KEY not in note.detail


def test_the_page_links_the_alerts_own_page_after_nightowls() -> None:
    fake = FakePagerDuty()
    graph = "http://prometheus.example:9090/graph?g0.expr=up"

    asyncio.run(pager(fake).send(notice("escalated", alert_links=(graph,))))

    [event] = fake.events
    assert event["links"] == [
        {"href": notice("x").url, "text": "Open in nightowl"},
        {"href": graph, "text": "Alert source"},
    ]


def test_recovery_resolves_the_page_it_triggered() -> None:
    fake = FakePagerDuty()
    triggered = Notification(
        channel="pagerduty",
        ok=True,
        sent_at=AT,
        detail="trigger accepted by PagerDuty (dedup key inc-354656031908)",
    )

    note = asyncio.run(pager(fake).send(notice("resolved", history=(triggered,))))

    assert note.detail == "resolve accepted by PagerDuty (dedup key inc-354656031908)"
    assert fake.events == [
        {"routing_key": KEY, "event_action": "resolve", "dedup_key": "inc-354656031908"}
    ]


@pytest.mark.parametrize("status", ["resolved", "awaiting_approval", "investigating"])
def test_nothing_is_paged_when_nobody_needs_waking(status: str) -> None:
    fake = FakePagerDuty()

    note = asyncio.run(pager(fake).send(notice(status)))

    assert fake.events == []
    assert (note.ok, note.detail) == (True, f"no page: the incident is {status}")


def test_trigger_on_can_include_approval_waits_and_unknown_severities_are_errors() -> None:
    fake = FakePagerDuty()
    plain = Message(incident_id="inc-1", title="t", status="awaiting_approval", text="approve?")

    asyncio.run(pager(fake, trigger_on=["escalated", "awaiting_approval"]).send(plain))

    assert fake.events[0]["payload"]["severity"] == "error"
    assert fake.events[0]["payload"]["source"] == "nightowl"


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        (
            400,
            {
                "status": "invalid event",
                "message": "Event object is invalid",
                "errors": ["Length of 'routing_key' is incorrect (should be 32 characters)"],
            },
            "trigger refused: PagerDuty answered 400, Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)",
        ),
        (
            429,
            {
                "status": "throttle exceeded",
                "message": "Requests for this service are arriving too quickly.",
            },
            "trigger refused: PagerDuty answered 429, Requests for this service are arriving too quickly.",
        ),
    ],
)
def test_refusals_are_not_ok_with_pagerdutys_explanation(
    status: int, answer: dict[str, Any], expected: str
) -> None:
    note = asyncio.run(pager(FakePagerDuty(status, answer)).send(notice("escalated")))

    assert (note.ok, note.detail) == (False, expected)


def test_an_unreachable_pagerduty_is_not_ok() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    notifier = PagerDutyNotifier(
        "pagerduty",
        PagerDutyConfig.model_validate({"routing_key": KEY}),
        ScenarioClock(AT),
        httpx.MockTransport(down),
    )

    note = asyncio.run(notifier.send(notice("escalated")))

    assert (note.ok, note.detail) == (
        False,
        "trigger not sent: PagerDuty unreachable (ConnectTimeout)",
    )
