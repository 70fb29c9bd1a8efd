"""The questions asked of the knowledge graph — who owns a service, who changed it and what it
depends on — and the pipeline's records written into it. Implements the ``Knowledge`` port.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from nightowl.domain import Deploy, Incident
from nightowl.domain.control import ApprovalRequest
from nightowl.domain.graph import (
    ChangeRef,
    Edge,
    EdgeKind,
    IncidentRef,
    OwnerRef,
    ServiceCard,
)
from nightowl.graph.facts import deploy_facts, service
from nightowl.graph.incidents import approval_facts, incident_facts
from nightowl.graph.traversal import ServiceGraph
from nightowl.settings.people import GraphSettings
from nightowl.store.graph import GraphStore

CARD_CHANGES = 20
CARD_INCIDENTS = 20
DEPENDENCY_EDGES = 200_000
"""The most dependency edges read to build the service graph (far above any real estate's)."""


class Knowledge:
    """The graph over its store. Thread-safe (each call reads or writes in its own transaction);
    StoreError when the database cannot be used."""

    def __init__(self, store: GraphStore, settings: GraphSettings) -> None:
        self.store = store
        self.settings = settings

    def services(self) -> ServiceGraph:
        """The dependency graph as every topology source last reported it."""
        return ServiceGraph(self.store.pairs(EdgeKind.DEPENDS_ON, DEPENDENCY_EDGES))

    def card(self, name: str, now: datetime, hops: int | None = None) -> ServiceCard:
        """Owners, on-call, dependencies both ways (within ``hops``), fan-in, the deploys of the
        last ``graph.changes_hours`` and the incidents that affected the service."""
        node = service(name)
        edges = self.store.edges(
            [EdgeKind.OWNS, EdgeKind.ON_CALL_FOR, EdgeKind.AFFECTED], touching=node
        )
        graph = self.services()
        since = now - timedelta(hours=self.settings.changes_hours)
        changes = self.who_changed(name, since, now, hops=0, graph=graph)
        return ServiceCard(
            service=name,
            known=bool(edges or changes) or graph.knows(name),
            owners=_people(e for e in edges if e.kind == EdgeKind.OWNS),
            on_call=_people(e for e in edges if e.kind == EdgeKind.ON_CALL_FOR),
            dependencies=tuple(graph.dependencies(name, hops)),
            dependents=tuple(graph.dependents(name, hops)),
            fan_in=graph.fan_in(name),
            changes=tuple(changes[:CARD_CHANGES]),
            incidents=tuple(_incidents(e for e in edges if e.kind == EdgeKind.AFFECTED)),
        )

    def who_changed(
        self,
        name: str,
        since: datetime,
        now: datetime,
        *,
        hops: int = 1,
        graph: ServiceGraph | None = None,
    ) -> list[ChangeRef]:
        """The deploys in [since, now] of the service and of what it depends on within ``hops``
        calls, newest first, each with who, what, when, commit and pull request."""
        reach = {name: 0}
        if hops > 0:
            walked = (graph or self.services()).dependencies(name, hops)
            reach |= {r.service: r.hops for r in walked}
        out = []
        for target, distance in reach.items():
            for edge in self.store.edges([EdgeKind.DEPLOYED], touching=service(target)):
                change = _change(edge, distance)
                if change is not None and since <= change.at <= now:
                    out.append(change)
        unique = {(c.service, c.version, c.at): c for c in out}
        return sorted(unique.values(), key=lambda c: (c.at, c.hops == 0), reverse=True)

    def dependencies(self) -> dict[str, list[str]]:
        """Caller → callees as the topology sources last reported them."""
        return {k: list(v) for k, v in self.services().topology().edges.items()}

    def fan_in(self, name: str) -> int:
        """How many services depend on ``name``, directly or through others."""
        return self.services().fan_in(name)

    def note_incident(self, incident: Incident, now: datetime) -> None:
        """Record the incident, what it affected, ran and decided (idempotent)."""
        self.store.record(incident_facts(incident, now))

    def note_deploy(self, deploy: Deploy, source: str, provenance: str, now: datetime) -> None:
        """Record one deploy and who made it (idempotent)."""
        self.store.record(deploy_facts(deploy, source, provenance, now))

    def note_approval(self, request: ApprovalRequest, now: datetime) -> None:
        """Record an answered approval: who decided, what and why (idempotent)."""
        self.store.record(approval_facts(request, now))


def _people(edges: Iterable[Edge]) -> tuple[OwnerRef, ...]:
    found: dict[tuple[str, str], set[str]] = {}
    for edge in edges:
        found.setdefault((edge.subject.kind, edge.subject.name), set()).add(edge.source)
    return tuple(
        OwnerRef(name=name, kind=kind, sources=tuple(sorted(sources)))
        for (kind, name), sources in sorted(found.items(), key=lambda kv: kv[0][1])
    )


def _change(edge: Edge, hops: int) -> ChangeRef | None:
    attrs = edge.subject.attrs
    if "at" not in attrs or "version" not in attrs:
        return None
    return ChangeRef(
        service=edge.object.name,
        version=attrs["version"],
        previous_version=attrs.get("previous_version"),
        at=datetime.fromisoformat(attrs["at"]),
        author=attrs.get("author"),
        commit=attrs.get("commit"),
        pr=attrs.get("pr"),
        summary=attrs.get("summary"),
        source=attrs.get("source", edge.source),
        hops=hops,
    )


def _incidents(edges: Iterable[Edge]) -> list[IncidentRef]:
    found = {
        e.subject.name: IncidentRef(
            id=e.subject.name,
            title=e.subject.attrs.get("title", ""),
            status=e.subject.attrs.get("status", ""),
            opened_at=datetime.fromisoformat(e.subject.attrs["opened_at"])
            if "opened_at" in e.subject.attrs
            else None,
            slack_thread=e.subject.attrs.get("slack_thread"),
        )
        for e in edges
    }
    ordered = sorted(
        found.values(), key=lambda i: (i.opened_at is not None, i.opened_at), reverse=True
    )
    return ordered[:CARD_INCIDENTS]
