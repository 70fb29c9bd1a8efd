"""An in-process Notifier that keeps what it is sent (and can be told to fail)."""

from __future__ import annotations

from nightowl.clock import Clock, SystemClock
from nightowl.domain import Notification
from nightowl.notify.protocol import Message


class FakeNotifier:
    """A Notifier: every message goes to ``sent``; with ``fail`` set, none is kept and ``send``
    returns ``Notification(ok=False)`` saying why, as a real notifier reports a delivery failure
    (it never raises). ``secret`` stands for a credential of its config: no detail names it.
    Not thread-safe."""

    def __init__(
        self,
        name: str = "fake",
        *,
        fail: str | None = None,
        secret: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self.fail = fail
        self.secret = secret
        self.clock: Clock = clock or SystemClock()
        self.sent: list[Message] = []

    async def send(self, message: Message) -> Notification:
        """Keep ``message`` and report it delivered; with ``fail``, report that failure instead."""
        at = self.clock.now()
        if self.fail is not None:
            return Notification(channel=self.name, ok=False, sent_at=at, detail=self.fail)
        self.sent.append(message)
        return Notification(
            channel=self.name, ok=True, sent_at=at, detail=f"kept message {len(self.sent)}"
        )
