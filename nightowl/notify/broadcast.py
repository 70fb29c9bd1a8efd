"""Telling the humans: send one message to every notifier and record each delivery on the incident.

Every message nightowl sends about an incident goes through ``Broadcast`` — the notify stage's
summary, the approvals' page, the dispatcher's updates and reminders, the resolution check's
verdict — so each delivery (or failure) is on the incident's record. The notifiers it holds are
the routed, redacting ones the composition root builds (``routing.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from nightowl.domain import Incident, Notification
from nightowl.notify.protocol import Message, Notifier
from nightowl.store import IncidentStore


class Broadcast:
    """Fans a message out. Never raises for a delivery failure (it is recorded, ok=False); raises
    StoreError when the delivery cannot be recorded. Safe to share across incidents."""

    def __init__(self, notifiers: Sequence[Notifier], store: IncidentStore) -> None:
        self.notifiers, self.store = list(notifiers), store

    async def send(self, message: Message) -> list[Notification]:
        """Send ``message`` to every notifier in turn and record each outcome on the incident."""
        sent = []
        for notifier in self.notifiers:
            note = await notifier.send(message)
            await asyncio.to_thread(self.store.add_notification, message.incident_id, note)
            sent.append(note)
        return sent

    async def page(
        self, incident: Incident, text: str, *, status: str | None = None, report: bool = False
    ) -> None:
        """Send ``text`` about ``incident`` (its status unless ``status`` is given; with the
        report's path when ``report``)."""
        await self.send(
            Message(
                incident_id=incident.id,
                title=incident.title,
                status=status or incident.status.value,
                text=text,
                report_path=incident.report_path if report else None,
            )
        )
