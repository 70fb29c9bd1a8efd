"""Change points: when did the excursion start, which way does it go, and how far.

A two-sided CUSUM (Page, 1954) runs on the value standardised against a slow reference level. The
classic estimate of a change's onset is the last time the CUSUM statistic of the winning side was
zero: the detector may notice a change late, but the CUSUM remembers where the drift began. The
reference level and scale learn only while no excursion is under way (so a shift is not absorbed
while it is being measured) and re-baseline after an excursion lasts ``horizon`` points, so a
permanent level shift becomes the new normal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

REFERENCE_RATE = 0.02
SLACK = 1.5  # in mean absolute deviations: noise alone rarely drifts this far
ACTIVE = 4.0  # a CUSUM above this many deviations is an excursion under way


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Excursion:
    """An excursion under way: when it started, its direction, the reference, the mean since.

    ``strength`` is the CUSUM statistic, in mean absolute deviations beyond the slack.
    """

    onset: float
    direction: Direction
    reference: float
    observed: float
    strength: float = 0.0


class _Side:
    """One side of the CUSUM with the start time and running sum of its current run."""

    __slots__ = ("count", "start", "stat", "total")

    def __init__(self) -> None:
        self.stat = 0.0
        self.start = 0.0
        self.total = 0.0
        self.count = 0

    def push(self, ts: float, x: float, drift: float) -> None:
        if self.stat <= 0.0:
            self.start, self.total, self.count = ts, 0.0, 0
        self.stat = max(0.0, self.stat + drift)
        if self.stat > 0.0:
            self.total += x
            self.count += 1

    def reset(self) -> None:
        self.stat = 0.0


class OnsetTracker:
    """Streaming two-sided CUSUM with onset estimates. Not thread-safe; one per stream."""

    __slots__ = ("_down", "_level", "_long", "_n", "_scale", "_up")

    def __init__(self, *, horizon: int = 750) -> None:
        self._level: float | None = None
        self._scale = 0.0
        self._n = 0
        self._long = max(horizon, 10)
        self._up = _Side()
        self._down = _Side()

    def update(self, ts: float, x: float) -> None:
        if self._level is None:
            self._level = x
        self._n += 1
        scale = self._scale if self._scale > 0.0 else 1e-12 + 1e-9 * abs(x)
        z = (x - self._level) / scale
        self._up.push(ts, x, z - SLACK)
        self._down.push(ts, x, -z - SLACK)
        quiet = max(self._up.stat, self._down.stat) < ACTIVE
        if quiet or max(self._up.count, self._down.count) > self._long or self._n < 20:
            if not quiet:  # an excursion that long is the new normal: start afresh from here
                self._up.reset()
                self._down.reset()
            rate = max(REFERENCE_RATE, 1.0 / self._n)
            self._scale += rate * (abs(x - self._level) - self._scale)
            self._level += rate * (x - self._level)

    def excursion(self, ts: float, x: float) -> Excursion:
        """The excursion under way, or a point change at ``ts`` when the CUSUM is quiet."""
        reference = self._level if self._level is not None else x
        side, direction = (
            (self._up, Direction.UP)
            if self._up.stat >= self._down.stat
            else (self._down, Direction.DOWN)
        )
        if side.stat > 0.0 and side.count:
            return Excursion(side.start, direction, reference, side.total / side.count, side.stat)
        return Excursion(ts, Direction.UP if x >= reference else Direction.DOWN, reference, x)
