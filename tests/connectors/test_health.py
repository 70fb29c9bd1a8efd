"""Connector health checks: each within its timeout, concurrently, in order; a dead backend, a
hung one, a connector bug or one without a check is a failed result, never an exception."""

from __future__ import annotations

import asyncio
import time

from nightowl.connectors.health import check_all, check_one
from nightowl.testing.sources import FakeDeploys, FakeLogs, FakeTopology


class Hung:
    name = "hung"

    async def check(self) -> None:
        await asyncio.sleep(30)


class Buggy:
    name = "buggy"

    async def check(self) -> None:
        raise KeyError("status")


def test_a_reachable_connector_passes_and_a_dead_one_says_why() -> None:
    ok = asyncio.run(check_one("loki", FakeLogs([], name="logs"), 1.0))
    failing = FakeDeploys([], name="gh", error="401 Bad credentials")
    dead = asyncio.run(check_one("github", failing, 1.0))
    assert (ok.name, ok.kind, ok.ok, ok.error) == ("logs", "loki", True, None)
    assert ok.latency_ms >= 0
    assert (dead.ok, dead.error) == (False, "connector 'gh': 401 Bad credentials")


def test_a_hung_check_times_out_and_a_bug_is_reported() -> None:
    hung = asyncio.run(check_one("x", Hung(), 0.05))
    bug = asyncio.run(check_one("y", Buggy(), 1.0))
    missing = asyncio.run(check_one("static", object(), 1.0))
    assert hung.error == "connector 'hung': no answer within 0.05s"
    assert bug.error == "connector 'buggy': KeyError: 'status'"
    assert missing.error == "connector kind 'static' has no health check"
    assert not any(r.ok for r in (hung, bug, missing))


def test_checks_run_concurrently_and_keep_their_order() -> None:
    connectors = [("x", Hung()), ("static", FakeTopology({"a": ["b"]}, name="graph"))] * 3
    started = time.monotonic()
    results = asyncio.run(check_all(connectors, 0.5))
    assert time.monotonic() - started < 1.3  # in turn, three hung checks would take 1.5 s
    assert [(r.name, r.ok) for r in results] == [("hung", False), ("graph", True)] * 3
