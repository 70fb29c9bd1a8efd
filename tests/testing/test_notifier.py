"""The kit's FakeNotifier passes the notifier contract it gives plugin authors, and keeps what
it delivers."""

from __future__ import annotations

import asyncio

import pytest

from nightowl.notify.protocol import Message
from nightowl.testing.contracts import NotifierContract
from nightowl.testing.notifier import FakeNotifier


class TestFakeNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self) -> FakeNotifier:
        return FakeNotifier(secret="xoxb-secret-token")

    @pytest.fixture
    def failing_notifier(self) -> FakeNotifier:
        return FakeNotifier(fail="the endpoint answered 503", secret="xoxb-secret-token")

    @pytest.fixture
    def notifier_secrets(self) -> list[str]:
        return ["xoxb-secret-token"]

    def test_it_keeps_what_it_delivers(self, notifier: FakeNotifier) -> None:
        message = Message(incident_id="i", title="t", status="open", text="x")
        asyncio.run(notifier.send(message))
        assert notifier.sent == [message]
