"""The incident memory and the knowledge graph, as the MCP tools see them (a port).

``search_similar_incidents``, ``graph_show`` and ``who_changed`` ask this port. ``Recorded``
answers from the application's incident memory (``app/memory.py``) and knowledge graph
(``graph/knowledge.py``), read-only; ``NoMemory`` is a build without them (or with
``memory.enabled: false``): every question is answered ``Unavailable``, which the tools turn into a
plain sentence rather than an empty (and misleading) result.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from nightowl.domain.base import Model

if TYPE_CHECKING:
    from nightowl.app import Nightowl

UNAVAILABLE = "incident memory is not available in this build"


class Unavailable(Exception):
    """The memory (or the graph) is not part of this build; the message says so."""


class Similar(Model):
    """An earlier incident like this one, with how alike it is (0 to 1) and why."""

    incident_id: str
    title: str
    score: float
    why: str


class Change(Model):
    """A change to a service or its dependencies: who made it, when, and what it was."""

    service: str
    who: str
    at: str
    what: str


class Memory(Protocol):
    """What the MCP tools ask of incident memory and the knowledge graph. Every method raises
    ``Unavailable`` when the build has no memory; otherwise reads only (never writes)."""

    async def similar(self, incident_id: str, limit: int) -> list[Similar]:
        """The incidents most like ``incident_id``, most alike first."""
        ...

    async def graph(self, service: str, depth: int) -> Model:
        """The knowledge graph around ``service``, ``depth`` hops out."""
        ...

    async def who_changed(self, service: str, hours: int) -> list[Change]:
        """Changes to ``service`` and what it depends on in the last ``hours``, newest first."""
        ...


class NoMemory:
    """The memory of a build without one: every question is answered ``Unavailable``."""

    async def similar(self, incident_id: str, limit: int) -> list[Similar]:
        raise Unavailable(UNAVAILABLE)

    async def graph(self, service: str, depth: int) -> Model:
        raise Unavailable(UNAVAILABLE)

    async def who_changed(self, service: str, hours: int) -> list[Change]:
        raise Unavailable(UNAVAILABLE)


class Recorded:
    """The memory and graph of a running nightowl (read-only; the store calls run in a thread)."""

    def __init__(self, app: Nightowl) -> None:
        self.app = app

    async def similar(self, incident_id: str, limit: int) -> list[Similar]:
        if not self.app.settings.memory.enabled:
            raise Unavailable("incident memory is turned off (memory.enabled: false)")
        matches = await asyncio.to_thread(self.app.records.memory.similar, incident_id, limit=limit)
        top = max((m.score for m in matches), default=0.0) or 1.0
        return [
            Similar(
                incident_id=m.memory.incident_id,
                title=m.memory.title,
                score=round(m.score / top, 3),
                why=_why(m.memory.cause, m.memory.fix),
            )
            for m in matches
        ]

    async def graph(self, service: str, depth: int) -> Model:
        now = self.app.clock.now()  # the data's time, as the graph records deploys
        card: Model = await asyncio.to_thread(self.app.records.knowledge.card, service, now, depth)
        return card

    async def who_changed(self, service: str, hours: int) -> list[Change]:
        now = self.app.clock.now()  # the data's time, as the graph records deploys
        since = now - timedelta(hours=hours)
        found = await asyncio.to_thread(self.app.records.knowledge.who_changed, service, since, now)
        return [
            Change(
                service=c.service,
                who=c.author or "unknown",
                at=c.at.isoformat(),
                what=f"deployed {c.version} (was {c.previous_version or 'unknown'})"
                + (f", commit {c.commit[:12]}" if c.commit else "")
                + (f", PR #{c.pr}" if c.pr else ""),
            )
            for c in found
        ]


def _why(cause: tuple[str, str] | None, fix: str | None) -> str:
    said = f"cause {cause[0]} on {cause[1]}" if cause else "cause unknown"
    return f"{said}; fixed by {fix}" if fix else said
