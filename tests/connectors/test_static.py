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


def test_static_hosts_are_the_endpoints_each_service_is_reached_by() -> None:
    topo = StaticTopology(
        "graph",
        StaticConfig(
            services={"checkout": ["carrier"]},
            hosts={"carrier": ["api.carrier.example", "api.carrier.example", "10.0.0.9:443"]},
        ),
    )
    assert run(topo.endpoints()) == {"carrier": ["10.0.0.9:443", "api.carrier.example"]}
