"""The one call-graph type: callers, callees, reach with distance, the gather neighbourhood."""

from __future__ import annotations

from nightowl.domain import Topology

SHOP = Topology(
    {
        "frontend": ["checkout", "inventory"],
        "checkout": ["payments", "cache"],
        "inventory": ["cache"],
        "payments": ["bank"],
    }
)


def test_callers_and_callees() -> None:
    assert SHOP.callees("checkout") == ("payments", "cache")
    assert SHOP.callers("cache") == ("checkout", "inventory")
    assert SHOP.callers("frontend") == ()


def test_reach_counts_calls_and_stops_at_the_hop_limit() -> None:
    assert SHOP.downstream("frontend") == {
        "checkout": 1,
        "inventory": 1,
        "payments": 2,
        "cache": 2,
        "bank": 3,
    }
    assert SHOP.downstream("frontend", hops=1) == {"checkout": 1, "inventory": 1}
    assert SHOP.upstream("bank") == {"payments": 1, "checkout": 2, "frontend": 3}


def test_reach_survives_cycles() -> None:
    loop = Topology({"a": ["b"], "b": ["a", "c"]})
    assert loop.downstream("a") == {"b": 1, "c": 2}


def test_the_neighbourhood_is_the_alerting_services_their_callers_and_what_they_call() -> None:
    assert SHOP.neighbourhood(["payments"], hops=3) == ["bank", "checkout", "payments"]
    assert SHOP.neighbourhood(["checkout"], hops=1) == ["cache", "checkout", "frontend", "payments"]
    assert SHOP.neighbourhood([], hops=3) == ["checkout", "frontend", "inventory", "payments"]
