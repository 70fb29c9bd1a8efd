"""The incident memory and the knowledge graph, as the MCP tools see them (a port).

``search_similar_incidents``, ``graph_show`` and ``who_changed`` ask this port. Until a build
ships incident memory and the graph, ``NoMemory`` answers every question with ``Unavailable``,
which the tools turn into a plain sentence rather than an empty (and misleading) result.
"""

from __future__ import annotations

from typing import Protocol

from nightowl.domain.base import Model

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

    async def graph(self, service: str, depth: int) -> str:
        """The knowledge graph around ``service``, ``depth`` hops out, as text."""
        ...

    async def who_changed(self, service: str, hours: int) -> list[Change]:
        """Changes to ``service`` and what it depends on in the last ``hours``, newest first."""
        ...


class NoMemory:
    """The memory of a build without one: every question is answered ``Unavailable``."""

    async def similar(self, incident_id: str, limit: int) -> list[Similar]:
        raise Unavailable(UNAVAILABLE)

    async def graph(self, service: str, depth: int) -> str:
        raise Unavailable(UNAVAILABLE)

    async def who_changed(self, service: str, hours: int) -> list[Change]:
        raise Unavailable(UNAVAILABLE)
