"""Judging a signal's shift against the same signal elsewhere: runner-up margins and medians."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.analysis.rca import RankConfig, SignalAnomaly, rank_services
from nightowl.analysis.rca.ranker import margins, peer_scores
from nightowl.domain.signals import Series

FAULT = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def anomaly(service: str, metric: str, score: float) -> SignalAnomaly:
    return SignalAnomaly(service=service, metric=metric, score=score, baseline=1.0, observed=2.0)


def test_margin_is_over_the_best_other_service() -> None:
    assert margins({"a": 5.0, "b": 3.0, "c": 1.0}) == {"a": 2.0, "b": -2.0, "c": -4.0}
    assert margins({"a": 5.0}) == {"a": 5.0}
    assert margins({"a": 2.0, "b": 2.0}) == {"a": 0.0, "b": 0.0}


def test_margin_leaves_out_the_services_upstream() -> None:
    # b calls a, so b inheriting a's shift does not cancel a's evidence.
    got = margins({"a": 5.0, "b": 6.0, "c": 1.0}, {"a": {"b"}})
    assert got == {"a": 4.0, "b": 1.0, "c": -5.0}


def test_a_signal_that_moved_everywhere_weighs_less_than_one_that_singles_out() -> None:
    found = {
        "a": [anomaly("a", "p99", 20.0), anomaly("a", "cpu", 0.1)],
        "b": [anomaly("b", "p99", 12.0), anomaly("b", "cpu", 1.0)],
        "c": [anomaly("c", "p99", 19.5), anomaly("c", "cpu", 0.2)],
    }
    runner_up = peer_scores(found, 0.5)
    assert max(runner_up, key=lambda s: runner_up[s]) == "b"
    median = peer_scores(found, 0.5, "median")
    assert max(median, key=lambda s: median[s]) == "a"


def test_services_without_signals_rank_last() -> None:
    scores = peer_scores(
        {"a": [anomaly("a", "x", 4.0)], "b": [anomaly("b", "x", 1.0)], "c": []}, 0.5
    )
    assert scores["c"] <= min(scores["a"], scores["b"])


def step(level: float, after: float) -> Series:
    start = FAULT.timestamp() - 30 * 60.0
    values = [level * (1.0 + 0.01 * (i % 3)) for i in range(30)] + [after] * 5
    return Series(
        metric="latency",
        timestamps=tuple(start + 60.0 * i for i in range(35)),
        values=tuple(values),
    )


def test_latency_propagating_to_every_caller_points_at_the_bottom() -> None:
    # Only latency is observed; the callers inherit (and add to) the callee's rise.
    graph = {"web": ("api",), "api": ("db",), "db": (), "cache": ()}
    signals = {
        "web": {"latency": step(30.0, 130.0)},
        "api": {"latency": step(20.0, 120.0)},
        "db": {"latency": step(10.0, 110.0)},
        "cache": {"latency": step(10.0, 10.5)},
    }
    for config in (RankConfig(), RankConfig(caller_weight=0.25, explain_weight=0.25)):
        ranked = rank_services(signals, graph, FAULT, config=config)
        assert ranked[0].service == "db"
    assert RankConfig().horizon >= timedelta(minutes=1)
