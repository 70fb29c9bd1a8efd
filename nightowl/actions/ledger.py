"""A file of the actions a driver has applied, by idempotency key: a retried step never acts twice.

Used by drivers whose target keeps no marker of its own (local processes, SSH hosts, webhooks).
Safe across processes (an exclusive lock per update); the file is rewritten atomically.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from nightowl.domain import ActionResult


class Ledger:
    """The applied actions of one driver, in a JSON file at ``path`` (created on the first
    ``put``).

    ``get`` and ``replay`` read the file as it is now; ``put`` takes an exclusive lock beside it,
    re-reads, adds and atomically replaces the file, so concurrent writers in several processes
    lose nothing. A result put again under the same key replaces the first.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, key: str) -> ActionResult | None:
        """The result recorded under ``key``; None when that key never acted."""
        data = self._read()
        return ActionResult.model_validate(data[key]) if key in data else None

    def replay(self, key: str) -> ActionResult | None:
        """The result recorded under ``key``, marked as a replay (nothing is done again)."""
        done = self.get(key)
        if done is None:
            return None
        return done.model_copy(update={"message": f"already applied: {done.message}"})

    def put(self, result: ActionResult) -> None:
        """Record ``result`` under its idempotency key (locked, atomic; replaces an earlier one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._read()
            data[result.idempotency_key] = result.model_dump(mode="json")
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1))
            os.replace(tmp, self.path)

    def _read(self) -> dict[str, object]:
        if not self.path.exists():
            return {}
        loaded: dict[str, object] = json.loads(self.path.read_text() or "{}")
        return loaded
