"""The service graph walked by networkx: dependencies and dependents both ways with their
distance, hops bounds, fan-in through chains and cycles, call paths, and the Topology view."""

from __future__ import annotations

from nightowl.domain.graph import Reach
from nightowl.graph.traversal import PATHS_LIMIT, ServiceGraph

SHOP = ServiceGraph([
    ("frontend", "checkout"), ("frontend", "catalog"), ("checkout", "payments"),
    ("checkout", "cart"), ("payments", "db"), ("cart", "db"), ("catalog", "db"),
])  # fmt: skip


def names(found: list[Reach]) -> list[tuple[str, int]]:
    return [(r.service, r.hops) for r in found]


def test_dependencies_go_down_the_calls_nearest_first() -> None:
    assert names(SHOP.dependencies("checkout")) == [("cart", 1), ("payments", 1), ("db", 2)]
    assert names(SHOP.dependencies("checkout", hops=1)) == [("cart", 1), ("payments", 1)]
    assert SHOP.dependencies("db") == []
    assert SHOP.dependencies("unknown") == []


def test_dependents_go_up_the_calls() -> None:
    assert names(SHOP.dependents("db")) == [
        ("cart", 1), ("catalog", 1), ("payments", 1), ("checkout", 2), ("frontend", 2),
    ]  # fmt: skip
    assert names(SHOP.dependents("db", hops=1)) == [("cart", 1), ("catalog", 1), ("payments", 1)]


def test_fan_in_counts_every_service_that_depends_on_one_directly_or_not() -> None:
    assert SHOP.fan_in("db") == 5
    assert SHOP.fan_in("payments") == 2  # checkout, frontend
    assert SHOP.fan_in("frontend") == 0
    assert SHOP.fan_in("unknown") == 0
    looped = ServiceGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "a")])
    assert looped.fan_in("a") == 2  # a cycle counts each other service once, never itself


def test_paths_are_every_call_chain_shortest_first_and_bounded() -> None:
    assert SHOP.paths("frontend", "db") == [
        ["frontend", "catalog", "db"],
        ["frontend", "checkout", "cart", "db"],
        ["frontend", "checkout", "payments", "db"],
    ]
    assert SHOP.paths("frontend", "db", hops=2) == [["frontend", "catalog", "db"]]
    assert SHOP.paths("db", "frontend") == []
    mesh = ServiceGraph([(f"l{i}", f"m{j}") for i in range(6) for j in range(6)] + [
        (f"m{j}", "sink") for j in range(6)
    ] + [("src", f"l{i}") for i in range(6)])  # fmt: skip
    assert len(mesh.paths("src", "sink")) == PATHS_LIMIT


def test_the_graph_is_the_pipelines_topology_too() -> None:
    topology = SHOP.topology()
    assert topology.callees("checkout") == ("cart", "payments")
    assert set(topology.callers("db")) == {"cart", "catalog", "payments"}
