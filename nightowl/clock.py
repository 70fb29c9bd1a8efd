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
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ScenarioClock:
    """Scenario time: ``anchor`` plus real elapsed time plus every skipped sleep."""

    def __init__(self, anchor: datetime) -> None:
        self._anchor = anchor
        self._started = time.monotonic()
        self._skipped = 0.0

    def now(self) -> datetime:
        elapsed = time.monotonic() - self._started + self._skipped
        return self._anchor + timedelta(seconds=elapsed)

    async def sleep(self, seconds: float) -> None:
        self._skipped += max(0.0, seconds)
        await asyncio.sleep(0)
