"""The actions a driver has applied, by idempotency key: a retried step never acts twice.

Used by drivers whose target keeps no marker of its own (local processes, SSH hosts, webhooks,
MCP tools). A driver starts with a file (``Ledger``: safe across the processes of one machine, an
exclusive lock per update, rewritten atomically); nightowl then hands every such driver
(``LedgerAware``) a ledger in the database (``SharedLedger``, over ``store/ledger.py``), so a
workflow recovered on another worker sees what the first one did.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from nightowl.domain import ActionResult
from nightowl.store.ledger import LedgerStore


class AppliedLog(Protocol):
    """What a driver asks its ledger: ``get`` and ``replay`` by key, ``put`` a result."""

    def get(self, key: str) -> ActionResult | None:
        """The result recorded under ``key``; None when that key never acted."""

    def replay(self, key: str) -> ActionResult | None:
        """The result under ``key`` marked as a replay; None when that key never acted."""

    def put(self, result: ActionResult) -> None:
        """Record ``result`` under its idempotency key."""


@runtime_checkable
class LedgerAware(Protocol):
    """A driver with a ledger of its own. nightowl calls ``use_ledger`` once, right after
    building it, with a factory of shared ledgers by scope (the driver's file name stem) and
    the file ledger it had, which the shared one still reads."""

    def use_ledger(self, shared: Callable[[str, Ledger], AppliedLog]) -> None:
        """Keep applied results in ``shared(scope, file_ledger)`` from now on."""


def replayed(done: ActionResult | None) -> ActionResult | None:
    """``done`` marked as a replay (nothing is done again); None stays None."""
    if done is None:
        return None
    return done.model_copy(update={"message": f"already applied: {done.message}"})


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
        return replayed(self.get(key))

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


class SharedLedger:
    """A driver's ledger in the database, still reading the file it kept before (so an upgrade
    mid-incident does not act again on what the file recorded). StoreError when the database
    cannot be used; an action is never performed on a ledger that could not be read."""

    def __init__(self, store: LedgerStore, before: Ledger | None = None) -> None:
        self.store, self.before = store, before

    def get(self, key: str) -> ActionResult | None:
        """The result under ``key`` in the database, else in the former file."""
        found = self.store.get(key)
        if found is None and self.before is not None:
            found = self.before.get(key)
        return found

    def replay(self, key: str) -> ActionResult | None:
        """The result under ``key``, marked as a replay (nothing is done again)."""
        return replayed(self.get(key))

    def put(self, result: ActionResult) -> None:
        """Record ``result`` in the database (one upsert: safe across workers)."""
        self.store.put(result, datetime.now(UTC))
