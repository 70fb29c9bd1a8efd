"""Ranking services: local evidence, the call graph, symptoms, logs and deploys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from nightowl.analysis.rca import rank_services
from nightowl.domain.signals import Deploy, LogLevel, LogRecord, Series

FAULT = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
GRAPH = {"web": ("api",), "api": ("db", "cache"), "db": (), "cache": ()}


def series(metric: str, before: float, after: float, seed: int) -> Series:
    rng = np.random.default_rng(seed)
    values = np.r_[np.full(30, before), np.full(5, after)] * rng.lognormal(0.0, 0.02, 35)
    start = FAULT.timestamp() - 30 * 60.0
    return Series(
        metric=metric,
        timestamps=tuple(start + 60.0 * i for i in range(35)),
        values=tuple(float(v) for v in values),
    )


def chain_signals(cause: str) -> dict[str, dict[str, Series]]:
    """Latency rises at the cause and every caller above it; CPU rises at the cause only."""
    above = {"db": {"db", "api", "web"}, "cache": {"cache", "api", "web"}, "api": {"api", "web"}}
    hit = above.get(cause, {cause})
    out: dict[str, dict[str, Series]] = {}
    for i, service in enumerate(GRAPH):
        out[service] = {
            "latency": series("latency", 10.0, 40.0 if service in hit else 10.0, i),
            "cpu": series("cpu", 5.0, 90.0 if service == cause else 5.0, 10 + i),
        }
    return out


def test_the_callee_whose_own_resources_moved_ranks_first() -> None:
    for cause in ("db", "cache", "api"):
        ranked = rank_services(chain_signals(cause), GRAPH, FAULT)
        assert ranked[0].service == cause
        assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
        assert ranked[0].reasons
        assert ranked[0].signals[0].metric == "cpu"


def test_a_symptom_limits_candidates_to_what_it_calls() -> None:
    ranked = rank_services(chain_signals("db"), GRAPH, FAULT, symptom="api")
    assert {r.service for r in ranked} == {"api", "db", "cache"}
    assert ranked[0].service == "db"


def test_error_logs_are_evidence() -> None:
    quiet = {s: {"latency": series("latency", 10.0, 10.0, i)} for i, s in enumerate(GRAPH)}
    logs = [
        LogRecord(
            timestamp=FAULT + timedelta(seconds=s),
            service=service,
            level=LogLevel.ERROR if service == "cache" and s >= 0 else LogLevel.INFO,
            message="boom" if service == "cache" and s >= 0 else "ok",
        )
        for s in range(-120, 120, 5)
        for service in GRAPH
    ]
    ranked = rank_services(quiet, GRAPH, FAULT, logs=logs)
    assert ranked[0].service == "cache"
    assert ranked[0].signals[0].metric == "log.errors"


def test_a_recent_deploy_breaks_a_tie_and_is_named() -> None:
    quiet = {s: {"latency": series("latency", 10.0, 10.0, i)} for i, s in enumerate(GRAPH)}
    deploy = Deploy(service="db", version="v2", at=FAULT - timedelta(minutes=3))
    ranked = rank_services(quiet, GRAPH, FAULT, deploys=[deploy])
    assert ranked[0].service == "db"
    assert any("deployed v2" in r for r in ranked[0].reasons)


def test_services_known_only_from_the_graph_are_ranked() -> None:
    ranked = rank_services({}, GRAPH, FAULT)
    assert {r.service for r in ranked} == set(GRAPH)
