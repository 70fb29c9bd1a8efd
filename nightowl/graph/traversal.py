"""The service graph as networkx walks it: dependencies and dependents both ways, fan-in, paths.

Edges go from a caller to what it depends on (``depends_on``), as in ``domain.topology``. A
fault in a service reaches its dependents, so the fan-in — how many services depend on it,
directly or through others — is the blast radius of touching it.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from nightowl.domain.graph import Edge, EdgeKind, Reach
from nightowl.domain.topology import Topology

PATHS_LIMIT = 20
"""The most paths one question returns: a dense mesh has exponentially many."""


class ServiceGraph:
    """An immutable directed graph of services (caller → dependency); cheap to build from the
    stored edges, safe to share between threads."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_edges_from((a, b) for a, b in pairs if a != b)
        self.graph = nx.freeze(graph)

    @classmethod
    def of(cls, edges: Iterable[Edge]) -> ServiceGraph:
        """The graph of the ``depends_on`` edges among ``edges`` (any source)."""
        return cls((e.subject.name, e.object.name) for e in edges if e.kind == EdgeKind.DEPENDS_ON)

    def knows(self, service: str) -> bool:
        """Whether the service is on any dependency edge."""
        return service in self.graph

    def dependencies(self, service: str, hops: int | None = None) -> list[Reach]:
        """What ``service`` depends on, directly or through others (within ``hops``), nearest
        first."""
        return self._reach(self.graph, service, hops)

    def dependents(self, service: str, hops: int | None = None) -> list[Reach]:
        """What depends on ``service``, directly or through others (within ``hops``), nearest
        first."""
        return self._reach(self.graph.reverse(copy=False), service, hops)

    def fan_in(self, service: str) -> int:
        """How many services depend on ``service``, directly or through others."""
        return len(nx.ancestors(self.graph, service)) if service in self.graph else 0

    def paths(self, source: str, target: str, hops: int = 6) -> list[list[str]]:
        """The call paths from ``source`` down to ``target`` (at most ``hops`` calls long),
        shortest first, at most ``PATHS_LIMIT``."""
        if source not in self.graph or target not in self.graph:
            return []
        found: list[list[str]] = []
        for path in nx.all_simple_paths(self.graph, source, target, cutoff=hops):
            found.append(list(path))
            if len(found) >= PATHS_LIMIT:
                break
        return sorted(found, key=lambda p: (len(p), p))

    def topology(self) -> Topology:
        """The graph as the pipeline's ``Topology`` (caller → callees)."""
        return Topology({n: sorted(self.graph.successors(n)) for n in sorted(self.graph)})

    @staticmethod
    def _reach(graph: nx.DiGraph[str], service: str, hops: int | None) -> list[Reach]:
        if service not in graph:
            return []
        lengths = nx.single_source_shortest_path_length(graph, service, cutoff=hops)
        return sorted(
            (Reach(service=s, hops=h) for s, h in lengths.items() if s != service),
            key=lambda r: (r.hops, r.service),
        )
