"""Telling the humans: every notifier gets the message in turn, every outcome (failures too) is
recorded on the incident, and ``page`` builds the message from the incident."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from nightowl.domain import IncidentStatus
from nightowl.notify.broadcast import Broadcast
from nightowl.notify.protocol import Message
from nightowl.store import IncidentStore
from nightowl.testing.notifier import FakeNotifier
from tests.store.samples import make_incident


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IncidentStore]:
    opened = IncidentStore.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    make_incident(opened, "inc-1")
    yield opened
    opened.close()


def test_every_notifier_is_sent_to_and_every_outcome_recorded(store: IncidentStore) -> None:
    chat, pager = FakeNotifier("chat"), FakeNotifier("pager", fail="the endpoint answered 503")
    message = Message(incident_id="inc-1", title="t", status="escalated", text="db is down")
    sent = asyncio.run(Broadcast([chat, pager], store).send(message))
    assert [(n.channel, n.ok) for n in sent] == [("chat", True), ("pager", False)]
    assert chat.sent == [message]
    recorded = store.get("inc-1").notifications
    assert [(n.channel, n.ok, n.detail) for n in recorded] == [
        ("chat", True, "kept message 1"),
        ("pager", False, "the endpoint answered 503"),
    ]


def test_page_sends_the_incidents_title_and_status_unless_told_otherwise(
    store: IncidentStore,
) -> None:
    chat = FakeNotifier("chat")
    incident = store.get("inc-1")
    broadcast = Broadcast([chat], store)
    asyncio.run(broadcast.page(incident, "approval needed"))
    asyncio.run(broadcast.page(incident, "gave up", status=IncidentStatus.ESCALATED.value))
    first, second = chat.sent
    assert (first.title, first.status, first.text) == (incident.title, "open", "approval needed")
    assert (second.status, second.report_path) == ("escalated", None)


def test_without_notifiers_nothing_is_sent_or_recorded(store: IncidentStore) -> None:
    message = Message(incident_id="inc-1", title="t", status="open", text="x")
    assert asyncio.run(Broadcast([], store).send(message)) == []
    assert store.get("inc-1").notifications == ()
