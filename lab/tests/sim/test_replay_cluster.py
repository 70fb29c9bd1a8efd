"""The replay connector's new reads: instant queries, a tail that ends with the scenario, and the
simulated cluster's pods (an OOM kill when a leak peaks), events and rollout history."""

from __future__ import annotations

import asyncio
from asyncio import run
from datetime import timedelta
from pathlib import Path

from nightowl_lab.sim.replay import Replay, ReplayConfig
from nightowl_lab.sim.scenario import bundled_scenario

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel


def replay(tmp_path: Path, name: str) -> Replay:
    return Replay.from_config("scenario", ReplayConfig(scenario=bundled_scenario(name)), tmp_path)


def test_instant_query_is_the_last_point_of_a_range(tmp_path: Path) -> None:
    r = replay(tmp_path, "checkout-bad-deploy")
    at = r.scenario.page_time
    (series,) = run(r.query('error_rate{service="checkout"}', at))
    assert len(series.values) == 1
    assert series.timestamps[0] <= at.timestamp()


def test_a_memory_leak_that_peaks_shows_oom_kills_and_an_event(tmp_path: Path) -> None:
    r = replay(tmp_path, "payments-memory-leak")
    end = r.scenario.page_time
    pods = run(r.pods("payments", end - timedelta(hours=1), end))
    assert len(pods) == 3
    assert all(p.oom_kills == 1 and p.restarts >= 1 for p in pods)
    events = run(r.events("payments", end - timedelta(hours=1), end))
    assert [e.reason for e in events] == ["OOMKilling"]
    before_peak = run(r.pods("payments", end - timedelta(hours=3), end - timedelta(hours=2)))
    assert all(p.oom_kills == 0 for p in before_peak)


def test_deploys_are_rollout_revisions(tmp_path: Path) -> None:
    r = replay(tmp_path, "checkout-bad-deploy")
    rollouts = run(r.rollouts("checkout"))
    assert rollouts[0].revision == len(rollouts) >= 2
    assert rollouts[0].version == r.scenario.deploys[-1].version
    end = r.scenario.page_time
    assert any(
        e.reason == "ScalingReplicaSet"
        for e in run(r.events("checkout", end - timedelta(hours=1), end))
    )


def test_tail_yields_oldest_first_and_ends_with_the_scenario(tmp_path: Path) -> None:
    r = replay(tmp_path, "checkout-bad-deploy")
    start = r.scenario.end - timedelta(minutes=10)

    async def collect() -> list[LogLevel]:
        return [
            rec.level
            async for rec in r.tail(LogQuery(start=start, end=start, levels=(LogLevel.ERROR,)))
        ]

    levels = asyncio.run(collect())
    assert levels
    assert set(levels) == {LogLevel.ERROR}
