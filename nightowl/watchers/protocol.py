"""The watcher contract: a named check that returns findings, and what it is given to check.

A watcher is built once per process from its ``WatcherConfig`` (``from_config``) and asked to
``check`` on every scheduled run. It only reads: whatever it proposes to change travels in the
finding's ``ProposedChange`` and is decided by the policy, never done by the watcher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from nightowl.connectors.sources import Sources
from nightowl.domain.findings import Finding
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.pricing import PriceTable


@dataclass(frozen=True)
class WatchContext:
    """What one run of a watcher may read: the run's time, the settings, the process's
    connectors by kind, its price table (``cost:``, with the replica prices OpenCost gave the
    serving process; None: a fresh table from ``settings.cost``) and its own findings before the
    run. Immutable."""

    now: datetime
    settings: Settings
    sources: Sources = field(default_factory=Sources)
    pricing: PriceTable | None = None
    previous: tuple[Finding, ...] = ()
    """The watcher's own findings as the store tracked them before this run (new, open or
    accepted): what a watcher that needs memory across runs (``model_drift``'s consecutive
    checks) reads back. Empty for a check outside the store."""

    def prices(self) -> PriceTable:
        """The price table to price findings with."""
        return self.pricing or PriceTable(self.settings.cost)


@runtime_checkable
class Watcher(Protocol):
    """A scheduled check of the estate.

    ``check`` returns every finding that holds now (the whole current view: a finding it no
    longer returns is marked fixed), never writes, and is idempotent. It raises
    ``WatcherError`` (or another ``NightowlError``) when it could not look — then nothing is
    marked fixed — with ``retryable`` saying whether the next run may do better.
    """

    name: str

    async def check(self, ctx: WatchContext) -> list[Finding]:
        """Every finding that holds at ``ctx.now``."""
        ...


class WatcherFactory(Protocol):
    """A watcher kind: the class that builds one from its configuration."""

    @classmethod
    def from_config(cls, config: WatcherConfig, settings: Settings) -> Watcher:
        """The watcher of one ``watchers`` entry; ConfigError for bad ``options``."""
        ...
