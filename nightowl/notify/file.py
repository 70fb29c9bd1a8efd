"""``kind: file`` — append each message as a JSON line to a file (the default notifier)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nightowl.clock import Clock
from nightowl.domain import Notification
from nightowl.errors import NotifyError
from nightowl.notify.protocol import Message


class FileConfig(BaseModel):
    """``kind: file``: the JSON-lines file to append to (its directory is created when missing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: Path


class FileNotifier:
    """Appends one JSON object per message, with the time it was sent; the default notifier, so a
    fresh install records what it would have told humans. Not safe for several processes writing
    one file at once.
    """

    Config = FileConfig

    def __init__(self, name: str, config: FileConfig, clock: Clock) -> None:
        self.name = name
        self.path = config.path
        self.clock = clock

    async def check(self) -> None:
        """The file's directory exists (or can be made) and can be written; NotifyError if not."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise NotifyError(
                f"cannot write {self.path}: {exc.strerror}", notifier=self.name
            ) from None

    async def send(self, message: Message) -> Notification:
        """Append ``message``; ``ok=False`` with the OS's reason when the file cannot be written."""
        at = self.clock.now()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(
                    json.dumps({"at": at.isoformat(), **message.model_dump(mode="json")}) + "\n"
                )
        except OSError as exc:
            return Notification(
                channel=self.name,
                ok=False,
                sent_at=at,
                detail=f"cannot write {self.path}: {exc.strerror}",
            )
        return Notification(
            channel=self.name, ok=True, sent_at=at, detail=f"appended to {self.path}"
        )
