"""The contract of a notifier: send one message about an incident, say whether it arrived."""

from __future__ import annotations

from typing import Protocol

from nightowl.domain import Notification
from nightowl.domain.base import Model


class Message(Model):
    """What every notifier is given about an incident: its id, a title, its status and what
    happened.
    """

    incident_id: str
    title: str
    status: str
    text: str
    report_path: str | None = None


class Notifier(Protocol):
    """Sends a message. Never raises for a delivery failure: it returns Notification(ok=False).

    The built-in notifiers also have ``async check()``, which reaches the endpoint without sending
    anything and raises NotifyError when it cannot (``nightowl config check --live``).
    """

    name: str

    async def send(self, message: Message) -> Notification:
        """Deliver ``message`` once; the Notification says whether it arrived and, if not, why."""
