"""The knowledge graph's tables on SQLite and a real PostgreSQL: an edge per source with its
provenance, first_seen kept and last_seen moved on a re-record, entity attributes merged, a
source's sync dropping what it no longer reports, and reads by kind, end and time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from nightowl.domain.graph import EdgeKind, EntityKind, Fact, Node
from nightowl.store import create_engine_for, migrate
from nightowl.store.graph import FORGOTTEN, GraphStore
from tests.store.samples import T0

CHECKOUT = Node(kind=EntityKind.SERVICE, name="checkout")
PAYMENTS = Node(kind=EntityKind.SERVICE, name="payments")
ANA = Node(kind=EntityKind.PERSON, name="ana")
PAY_TEAM = Node(kind=EntityKind.TEAM, name="acme/pay")


@pytest.fixture
def graph(database_url: str) -> Iterator[GraphStore]:
    engine = create_engine_for(database_url)
    migrate(engine)
    yield GraphStore(engine)
    engine.dispose()


def fact(kind: EdgeKind, subject: Node, obj: Node, source: str, minutes: int = 0) -> Fact:
    return Fact(
        kind=kind, subject=subject, object=obj, source=source,
        provenance=f"{source} said so", seen=T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def test_a_fact_recorded_again_keeps_first_seen_and_moves_last_seen(graph: GraphStore) -> None:
    graph.record([fact(EdgeKind.DEPENDS_ON, CHECKOUT, PAYMENTS, "k8s", 0)])
    graph.record([fact(EdgeKind.DEPENDS_ON, CHECKOUT, PAYMENTS, "k8s", 30)])
    graph.record([fact(EdgeKind.DEPENDS_ON, CHECKOUT, PAYMENTS, "k8s", 10)])  # late, older
    (edge,) = graph.edges()
    assert (edge.subject.name, edge.kind, edge.object.name) == (
        "checkout",
        "depends_on",
        "payments",
    )
    assert edge.first_seen == T0
    assert edge.last_seen == T0 + timedelta(minutes=30)
    assert (edge.source, edge.provenance) == ("k8s", "k8s said so")


def test_two_sources_saying_the_same_thing_are_two_edges(graph: GraphStore) -> None:
    graph.record(
        [
            fact(EdgeKind.OWNS, PAY_TEAM, PAYMENTS, "github"),
            fact(EdgeKind.OWNS, PAY_TEAM, PAYMENTS, "config"),
        ]
    )
    assert sorted(e.source for e in graph.edges([EdgeKind.OWNS])) == ["config", "github"]


def test_entity_attributes_merge_as_sources_tell_more(graph: GraphStore) -> None:
    first = Node(kind=EntityKind.DEPLOY, name="d1", attrs={"version": "v2", "author": "ana"})
    later = Node(kind=EntityKind.DEPLOY, name="d1", attrs={"pr": "42"})
    graph.record([fact(EdgeKind.DEPLOYED, first, CHECKOUT, "push")])
    graph.record([fact(EdgeKind.DEPLOYED, later, CHECKOUT, "github")])
    node = graph.node(EntityKind.DEPLOY, "d1")
    assert node is not None
    assert node.attrs == {"version": "v2", "author": "ana", "pr": "42"}
    assert {e.subject.attrs["pr"] for e in graph.edges([EdgeKind.DEPLOYED])} == {"42"}
    assert graph.node(EntityKind.DEPLOY, "never") is None


def test_sync_replaces_only_that_sources_view_of_those_kinds(graph: GraphStore) -> None:
    graph.record([
        fact(EdgeKind.OWNS, ANA, CHECKOUT, "github"),
        fact(EdgeKind.OWNS, PAY_TEAM, PAYMENTS, "github"),
        fact(EdgeKind.OWNS, ANA, PAYMENTS, "config"),
        fact(EdgeKind.DEPENDS_ON, CHECKOUT, PAYMENTS, "github"),
    ])  # fmt: skip
    later = T0 + timedelta(hours=1)
    removed = graph.sync(
        "github", {EdgeKind.OWNS}, [fact(EdgeKind.OWNS, PAY_TEAM, PAYMENTS, "github")], later
    )
    assert removed == 1  # ana no longer owns checkout in CODEOWNERS
    left = {(e.source, e.kind, e.subject.name, e.object.name) for e in graph.edges()}
    assert left == {
        ("github", "owns", "acme/pay", "payments"),
        ("config", "owns", "ana", "payments"),  # another source's word stands
        ("github", "depends_on", "checkout", "payments"),  # another kind stands
    }
    (kept,) = [e for e in graph.edges([EdgeKind.OWNS]) if e.source == "github"]
    assert (kept.first_seen, kept.last_seen) == (T0, later)


def test_reads_by_end_and_by_time_newest_first(graph: GraphStore) -> None:
    graph.record([
        fact(EdgeKind.OWNS, ANA, CHECKOUT, "config", 0),
        fact(EdgeKind.DEPENDS_ON, CHECKOUT, PAYMENTS, "k8s", 5),
        fact(EdgeKind.ON_CALL_FOR, ANA, PAYMENTS, "config", 10),
    ])  # fmt: skip
    touching = graph.edges(touching=CHECKOUT)
    assert [e.kind for e in touching] == ["depends_on", "owns"]  # newest first
    assert [e.kind for e in graph.edges(touching=PAYMENTS, since=T0 + timedelta(minutes=6))] == [
        "on_call_for"
    ]
    assert [e.kind for e in graph.edges(touching=ANA, limit=1)] == ["on_call_for"]
    # a person named like a service is another entity
    assert graph.edges(touching=Node(kind=EntityKind.PERSON, name="checkout")) == []


def test_forget_removes_a_person_and_their_name_from_what_named_them(graph: GraphStore) -> None:
    deploy = Node(kind=EntityKind.DEPLOY, name="d1", attrs={"author": "ana", "version": "v2"})
    decision = Node(kind=EntityKind.DECISION, name="x", attrs={"by": "ana", "verdict": "denied"})
    graph.record([
        fact(EdgeKind.DEPLOYED, deploy, CHECKOUT, "push"),
        fact(EdgeKind.CHANGED_BY, deploy, ANA, "push"),
        fact(EdgeKind.DECIDED, ANA, decision, "pipeline"),
        fact(EdgeKind.OWNS, ANA, CHECKOUT, "config"),
        fact(EdgeKind.OWNS, PAY_TEAM, PAYMENTS, "github"),
    ])  # fmt: skip
    assert graph.forget("ana") == 3
    assert graph.node(EntityKind.PERSON, "ana") is None
    assert graph.edges(touching=ANA) == []
    assert graph.node(EntityKind.DEPLOY, "d1").attrs == {"author": FORGOTTEN, "version": "v2"}  # type: ignore[union-attr]
    assert graph.node(EntityKind.DECISION, "x").attrs["by"] == FORGOTTEN  # type: ignore[union-attr]
    assert {e.kind for e in graph.edges()} == {"deployed", "owns"}  # the rest stands
    assert graph.forget("nobody") == 0


def test_prune_removes_old_events_and_the_entities_left_without_edges(graph: GraphStore) -> None:
    old = Node(kind=EntityKind.DEPLOY, name="old", attrs={"author": "ana"})
    new = Node(kind=EntityKind.DEPLOY, name="new")
    graph.record([
        fact(EdgeKind.DEPLOYED, old, CHECKOUT, "push", 0),
        fact(EdgeKind.CHANGED_BY, old, ANA, "push", 0),
        fact(EdgeKind.DEPLOYED, new, CHECKOUT, "push", 60),
        fact(EdgeKind.OWNS, ANA, CHECKOUT, "config", 0),  # not an event: kept
    ])  # fmt: skip
    removed = graph.prune([EdgeKind.DEPLOYED, EdgeKind.CHANGED_BY], T0 + timedelta(minutes=30))
    assert removed == 2
    assert graph.node(EntityKind.DEPLOY, "old") is None
    assert graph.node(EntityKind.DEPLOY, "new") is not None
    assert graph.node(EntityKind.PERSON, "ana") is not None
    assert sorted(e.kind for e in graph.edges()) == ["deployed", "owns"]
