"""Graph helpers: reversal, reachability, support from callers, explanation by callees."""

from __future__ import annotations

from nightowl.analysis.rca.graph import (
    caller_support,
    callers_of,
    downstream,
    explained_by_callee,
)

GRAPH = {"web": ("api", "web"), "api": ("db",), "db": ()}


def test_callers_and_downstream_ignore_self_calls() -> None:
    assert callers_of(GRAPH) == {"api": ["web"], "db": ["api"]}
    assert downstream(GRAPH, "api") == {"api", "db"}
    assert downstream(GRAPH, "nowhere") == {"nowhere"}


def test_support_is_capped_by_the_service_own_anomaly() -> None:
    support = caller_support({"web": 10.0, "api": 2.0, "db": 0.0}, GRAPH, 0.5)
    assert support["api"] == (1.0, "web")
    assert support["db"] == (0.0, None)


def test_a_callee_at_least_as_anomalous_explains_all() -> None:
    explained = explained_by_callee({"web": 1.0, "api": 4.0, "db": 2.0}, GRAPH)
    assert explained["web"] == (1.0, "api")
    assert explained["api"] == (0.5, "db")
    assert explained["db"] == (0.0, None)


def test_upstream_is_every_transitive_caller_without_self_calls() -> None:
    from nightowl.analysis.rca.graph import upstream_of

    assert upstream_of(GRAPH) == {"api": {"web"}, "db": {"api", "web"}}
    assert upstream_of({"a": ("b",), "b": ("a",)}) == {"a": {"b"}, "b": {"a"}}
