"""Reading the connectors' current view into the graph: owners and on-call from the config,
dependencies from every topology source, owners from every ownership source (CODEOWNERS,
Kubernetes annotations), and the recent deploys of every deploy source; then events older than
``graph.retention_days`` are removed.

The server runs it every ``graph.refresh_seconds``; ``nightowl graph refresh`` runs it once. A
source that fails or is slow is reported and skipped: its edges stay as they last were.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from nightowl.connectors.protocols import Ownership
from nightowl.connectors.sources import Sources
from nightowl.domain import Deploy
from nightowl.domain.base import Model
from nightowl.domain.graph import EdgeKind, Fact
from nightowl.errors import NightowlError
from nightowl.graph.facts import config_facts, dependency_facts, deploy_facts, ownership_facts
from nightowl.settings.people import GraphSettings
from nightowl.store.graph import GraphStore

TIMEOUT_SECONDS = 30.0
EVENT_EDGES = (
    EdgeKind.DEPLOYED, EdgeKind.CHANGED_BY, EdgeKind.AFFECTED, EdgeKind.USED, EdgeKind.RAN,
    EdgeKind.DECIDED,
)  # fmt: skip
"""Edges of events, kept ``graph.retention_days``; the others last as long as their source says
them."""
ReadDeploys = Callable[[str | None, datetime, datetime], Awaitable[list[Deploy]]]
Discovered = Callable[[list[Deploy]], Awaitable[None]]


class Refreshed(Model):
    """What one source gave the graph: how many edges it holds now, how many it dropped, or why
    it could not be read."""

    source: str
    kind: str
    edges: int = 0
    removed: int = 0
    error: str | None = None


class Refresh:
    """One refresh of the graph from the settings and the connectors. Never raises for a source's
    failure (it is in the result); StoreError when the graph's store cannot be written."""

    def __init__(
        self,
        sources: Sources,
        settings: GraphSettings,
        store: GraphStore,
        timeout_seconds: float = TIMEOUT_SECONDS,
        discovered: Discovered | None = None,
    ) -> None:
        self.discovered = discovered  # handed every deploy source's finds (canary analysis)
        self.sources = sources
        self.settings = settings
        self.store = store
        self.timeout = timeout_seconds

    async def run(self, now: datetime) -> list[Refreshed]:
        """Refresh from every source, one after the other; deploys of the last
        ``graph.changes_hours``."""
        facts = config_facts(self.settings, now)
        removed = await asyncio.to_thread(
            self.store.sync, "config", {EdgeKind.OWNS, EdgeKind.ON_CALL_FOR}, facts, now
        )
        out = [Refreshed(source="config", kind="owners", edges=len(facts), removed=removed)]
        for topology in self.sources.topology:
            read = _dependencies(topology.dependencies, topology.name, now)
            out.append(await self._sync(topology.name, "topology", read, EdgeKind.DEPENDS_ON, now))
        for owners in self.sources.owners:
            read = _owners(owners.owners, owners.name, now)
            out.append(await self._sync(owners.name, "owners", read, EdgeKind.OWNS, now))
        since = now - timedelta(hours=self.settings.changes_hours)
        for deploys in self.sources.deploys:
            out.append(await self._deploys(deploys.name, deploys.deploys, since, now))
        before = now - timedelta(days=self.settings.retention_days)
        pruned = await asyncio.to_thread(self.store.prune, EVENT_EDGES, before)
        out.append(Refreshed(source="retention", kind="events", removed=pruned))
        return out

    async def _sync(
        self,
        name: str,
        kind: str,
        read: Awaitable[list[Fact]],
        edge: EdgeKind,
        now: datetime,
    ) -> Refreshed:
        try:
            facts = await asyncio.wait_for(read, self.timeout)
        except (NightowlError, TimeoutError) as exc:
            return Refreshed(source=name, kind=kind, error=_reason(exc, self.timeout))
        removed = await asyncio.to_thread(self.store.sync, name, {edge}, facts, now)
        return Refreshed(source=name, kind=kind, edges=len(facts), removed=removed)

    async def _deploys(
        self, name: str, read: ReadDeploys, since: datetime, now: datetime
    ) -> Refreshed:
        try:
            found = await asyncio.wait_for(read(None, since, now), self.timeout)
        except (NightowlError, TimeoutError) as exc:
            return Refreshed(source=name, kind="deploys", error=_reason(exc, self.timeout))
        facts = [f for d in found for f in deploy_facts(d, name, f"{name} deploys", now)]
        await asyncio.to_thread(self.store.record, facts)
        if self.discovered is not None:
            await self.discovered(found)
        return Refreshed(source=name, kind="deploys", edges=len(facts))


async def _dependencies(
    read: Callable[[], Awaitable[dict[str, list[str]]]], name: str, now: datetime
) -> list[Fact]:
    return dependency_facts(await read(), name, f"{name} topology", now)


async def _owners(
    read: Callable[[], Awaitable[list[Ownership]]], name: str, now: datetime
) -> list[Fact]:
    return ownership_facts(await read(), name, now)


def _reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g}s"
    return str(exc)
