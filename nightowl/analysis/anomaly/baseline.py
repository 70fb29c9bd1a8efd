"""What a metric should be now: competing streaming baselines, the most accurate one wins.

Three one-step-ahead baselines run side by side, each with its own error scale (an exponentially
weighted mean absolute error):

* a fast level (EWMA, alpha 0.5) that follows random walks, level shifts and trends;
* a slow level (EWMA, alpha 0.1) for noisy stationary series;
* a daily profile (one EWMA per time-of-day slot) when the sampling step divides a day into at
  most 2,000 slots: latency, traffic and load follow the clock, and an hourly job is not news.

The baseline with the smallest error scale so far is the one that explains the series best; its
standardised residual is what the detector judges. Daily slots learn with a clipped (Huber) update
so an anomaly does not teach tomorrow's profile. State is bounded: a few floats plus one float per
daily slot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAY = 86_400.0
MAX_SLOTS = 2_000
LEVEL_RATES = (0.5, 0.1)
SEASON_RATE = 0.3
SCALE_RATE = 0.005
SEASON_CLIP = 3.0
MIN_COUNT = 10
STEP_SAMPLES = 9


@dataclass(frozen=True, slots=True)
class Residual:
    """The winning baseline's expectation, and how far the value is from it in its error scales."""

    expected: float
    z: float


class Baseline:
    """Competing level and daily baselines over one stream (``observe`` once per point, in order).

    Not thread-safe. ``observe`` returns ``None`` until a baseline has seen enough points to have
    an error scale.
    """

    __slots__ = ("_count", "_levels", "_magnitude", "_scales", "_slots", "_stamps", "_step")

    def __init__(self) -> None:
        self._levels: list[float | None] = [None] * len(LEVEL_RATES)
        # Error scale and count of every baseline: the levels first, then the daily profile.
        self._scales = [0.0] * (len(LEVEL_RATES) + 1)
        self._count = [0] * (len(LEVEL_RATES) + 1)
        self._slots: list[float | None] | None = None
        self._step = 0.0
        self._stamps: list[float] = []
        self._magnitude: float | None = None

    def _slot(self, ts: float) -> int | None:
        """The daily slot of ``ts``; the slot table is sized from the first sampling steps seen."""
        if self._slots is None:
            self._stamps.append(ts)
            if len(self._stamps) < STEP_SAMPLES:
                return None
            steps = [b - a for a, b in zip(self._stamps, self._stamps[1:], strict=False) if b > a]
            step = min(steps, default=0.0)
            slots = DAY / step if step > 0.0 else math.inf
            if step < 1.0 or slots > MAX_SLOTS or abs(slots - round(slots)) > 1e-9:
                self._slots = []  # no daily profile for this stream
            else:
                self._step = step
                self._slots = [None] * round(slots)
        if not self._slots:
            return None
        return int((ts % DAY) // self._step) % len(self._slots)

    def _judge(self, k: int, expected: float | None, x: float, floor: float) -> float | None:
        """Update baseline ``k``'s error scale; return its standardised residual if it is ready."""
        if expected is None:
            return None
        error = abs(x - expected)
        count = self._count[k] + 1
        self._count[k] = count
        scale = self._scales[k]
        ready = count > MIN_COUNT
        self._scales[k] = scale + max(SCALE_RATE, 1.0 / count) * (error - scale)
        return (x - expected) / (scale + floor) if ready else None

    def observe(self, ts: float, x: float) -> Residual | None:
        """Judge ``x`` against every baseline, then let them all learn it."""
        magnitude = abs(x) if self._magnitude is None else self._magnitude
        self._magnitude = magnitude + 0.01 * (abs(x) - magnitude)
        floor = 1e-6 * magnitude + 1e-12  # a flat series has no error scale: avoid dividing by 0
        slot = self._slot(ts)
        best: Residual | None = None
        best_scale = math.inf
        candidates = [*self._levels]
        candidates.append(self._slots[slot] if self._slots and slot is not None else None)
        for k, expected in enumerate(candidates):
            scale = self._scales[k]
            z = self._judge(k, expected, x, floor)
            if z is not None and expected is not None and scale < best_scale:
                best, best_scale = Residual(expected, z), scale
        for k, rate in enumerate(LEVEL_RATES):
            level = self._levels[k]
            self._levels[k] = x if level is None else level + rate * (x - level)
        if self._slots and slot is not None:
            profile = self._slots[slot]
            if profile is None:
                self._slots[slot] = x
            else:
                limit = SEASON_CLIP * self._scales[-1]
                delta = x - profile
                if self._count[-1] > MIN_COUNT and abs(delta) > limit:
                    delta = math.copysign(limit, delta)
                self._slots[slot] = profile + SEASON_RATE * delta
        return best
