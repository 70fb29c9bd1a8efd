"""Time as the pipeline sees it.

Live, that is the wall clock. Replaying a scenario, it is the scenario's time: it starts at the
moment the page arrives and runs at real speed, but ``sleep`` skips ahead instead of waiting, so a
five-minute verification window passes in an instant and every timestamp still reads as it would
have at 3 AM.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


class Clock(Protocol):
    """The time every stage reads and waits on: the wall clock live, scenario time in a replay."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time (a scenario clock skips ahead instead)."""


@runtime_checkable
class ClockAware(Protocol):
    """A plugin that stamps what it does with the pipeline's clock instead of the wall clock (under
    a replay, scenario time, whose skipped sleeps a clock of its own would miss). nightowl calls
    ``use_clock`` once, right after building the plugin and before any other call."""

    def use_clock(self, clock: Clock) -> None:
        """Stamp everything from now on with ``clock``."""


class SystemClock:
    """The wall clock, in UTC; ``sleep`` really waits."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on the event loop."""
        await asyncio.sleep(seconds)


class ScenarioClock:
    """Scenario time: ``anchor`` plus real elapsed time plus every skipped sleep."""

    def __init__(self, anchor: datetime) -> None:
        self._anchor = anchor
        self._started = time.monotonic()
        self._skipped = 0.0

    def now(self) -> datetime:
        """The anchor plus the real time elapsed since the clock was made plus every skipped
        sleep.
        """
        elapsed = time.monotonic() - self._started + self._skipped
        return self._anchor + timedelta(seconds=elapsed)

    async def sleep(self, seconds: float) -> None:
        """Move this clock ``seconds`` ahead (never back) and yield to the event loop once."""
        self._skipped += max(0.0, seconds)
        await asyncio.sleep(0)
