"""Time as the pipeline sees it: the wall clock, and scenario time whose sleeps skip ahead."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from nightowl.clock import Clock, ClockAware, ScenarioClock, SystemClock

ANCHOR = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def test_the_system_clock_is_aware_utc_and_sleeps_for_real() -> None:
    clock: Clock = SystemClock()
    before = clock.now()
    started = time.monotonic()
    asyncio.run(clock.sleep(0.05))
    assert time.monotonic() - started >= 0.04
    assert before.tzinfo is UTC
    assert clock.now() > before


def test_scenario_time_starts_at_the_anchor_and_runs_at_real_speed() -> None:
    clock = ScenarioClock(ANCHOR)
    first = clock.now()
    time.sleep(0.02)
    assert ANCHOR <= first < ANCHOR + timedelta(seconds=1)
    assert clock.now() - first >= timedelta(seconds=0.015)


def test_a_scenario_sleep_skips_ahead_instead_of_waiting() -> None:
    clock = ScenarioClock(ANCHOR)
    started = time.monotonic()
    asyncio.run(clock.sleep(300))
    asyncio.run(clock.sleep(-5))  # a negative sleep does not move time back
    assert time.monotonic() - started < 1.0
    assert timedelta(seconds=300) <= clock.now() - ANCHOR < timedelta(seconds=301)


def test_clock_aware_is_recognised_by_its_method() -> None:
    class Plugin:
        def use_clock(self, clock: Clock) -> None:
            self.clock = clock

    assert isinstance(Plugin(), ClockAware)
    assert not isinstance(object(), ClockAware)
