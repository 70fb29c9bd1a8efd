"""The call graph of the services, and the walks every stage takes over it.

Edges go from a caller to its callees. A fault propagates up, from a callee to its callers, so the
cause of a symptom is the symptom's service or something it calls (``downstream``); the services a
fault pages are its callers, up the chain (``upstream``). Intake correlates alerts of services a
few calls apart, gather reads an alerting service's callers and dependencies, and analysis reasons
about callers and callees — all through this one type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


class Topology:
    """An immutable caller → callees graph; cheap to build, safe to share."""

    def __init__(self, edges: Mapping[str, Sequence[str]]) -> None:
        self.edges: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in edges.items()}
        reverse: dict[str, list[str]] = {}
        for caller, callees in self.edges.items():
            for callee in callees:
                reverse.setdefault(callee, []).append(caller)
        self.reverse = {k: tuple(v) for k, v in reverse.items()}

    @property
    def services(self) -> list[str]:
        """Every service with an edge out (the graph's keys), sorted."""
        return sorted(self.edges)

    def callees(self, service: str) -> tuple[str, ...]:
        """The services ``service`` calls directly; empty for a leaf or an unknown service."""
        return self.edges.get(service, ())

    def callers(self, service: str) -> tuple[str, ...]:
        """The services that call ``service`` directly (in the graph's order)."""
        return self.reverse.get(service, ())

    def downstream(self, service: str, hops: int | None = None) -> dict[str, int]:
        """What ``service`` calls, directly or through others (within ``hops``), with distance."""
        return _reach(service, self.edges, hops)

    def upstream(self, service: str, hops: int | None = None) -> dict[str, int]:
        """What calls ``service``, directly or through others (within ``hops``), with distance."""
        return _reach(service, self.reverse, hops)

    def neighbourhood(self, alerting: Iterable[str], hops: int) -> list[str]:
        """The alerting services, their direct callers, and their dependencies down the chain to
        ``hops`` away (the cause of a symptom is often a dependency further down); with no
        alerting service, every service the graph knows."""
        start = list(alerting)
        if not start:
            return self.services
        near = set(start)
        for service in start:
            near |= set(self.callers(service))
        frontier = set(start)
        for _ in range(hops):
            frontier = {c for s in frontier for c in self.callees(s)} - near
            near |= frontier
        return sorted(near)


def _reach(service: str, edges: Mapping[str, Sequence[str]], hops: int | None) -> dict[str, int]:
    seen: dict[str, int] = {}
    frontier = [service]
    distance = 0
    while frontier and (hops is None or distance < hops):
        distance += 1
        frontier = [n for s in frontier for n in edges.get(s, ()) if n not in seen and n != service]
        for n in frontier:
            seen.setdefault(n, distance)
    return seen
