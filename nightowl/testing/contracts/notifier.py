"""The Notifier contract (``nightowl.notify.protocol``): deliver, never raise, leak no secret.

Fixtures: ``notifier`` (one that delivers), ``failing_notifier`` (one whose delivery fails: an
unreachable or refusing endpoint) and ``notifier_secrets`` (credentials of their configs, none
of which may appear in a Notification; default none).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from nightowl.domain import Notification
from nightowl.notify.protocol import Message

MESSAGE = Message(
    incident_id="inc-contract-1",
    title="HighErrorRate on checkout",
    status="resolved",
    text="checkout v2 rolled back; error rate back to 0.1%",
)


class NotifierContract:
    """Run the Notifier contract against a plugin's ``notifier`` and ``failing_notifier``."""

    @pytest.fixture
    def notifier_secrets(self) -> list[str]:
        """Secrets of the notifier's config that must never appear in a Notification's detail."""
        return []

    def test_a_delivery_says_it_arrived(self, notifier: Any, notifier_secrets: list[str]) -> None:
        """A delivery returns an ``ok`` Notification from this channel, stamped with an aware
        time.
        """
        sent = asyncio.run(notifier.send(MESSAGE))
        assert isinstance(sent, Notification)
        assert sent.ok
        assert sent.channel == notifier.name
        assert sent.sent_at.tzinfo is not None
        assert not any(s in sent.detail for s in notifier_secrets)

    def test_a_failed_delivery_is_reported_not_raised(
        self, failing_notifier: Any, notifier_secrets: list[str]
    ) -> None:
        """A failing delivery returns ``ok=False`` with a reason, never an exception or a secret."""
        sent = asyncio.run(failing_notifier.send(MESSAGE))
        assert isinstance(sent, Notification)
        assert not sent.ok
        assert sent.detail
        assert not any(s in sent.detail for s in notifier_secrets), sent.detail
