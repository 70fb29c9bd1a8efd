"""The static topology connector: the configured graph, with callees added as nodes."""

from __future__ import annotations

from asyncio import run

from nightowl.connectors.static import StaticConfig, StaticTopology


def test_static_graph_adds_callees_as_nodes() -> None:
    topo = StaticTopology(
        "graph",
        StaticConfig(services={"frontend": ["checkout", "frontend"], "checkout": ["payments"]}),
    )
    assert run(topo.dependencies()) == {
        "checkout": ["payments"],
        "frontend": ["checkout"],
        "payments": [],
    }
