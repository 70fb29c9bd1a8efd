"""The residual detector (nightowl's default until 2026-12): one point in, one calibrated score out.

Kept as a second opinion and for comparison (``nightowl bench nab --detector residual``); the
default is now :mod:`.detector` (adaptive resonance, see :mod:`.resonance`).

Per point, in O(1) time and bounded memory:

1. :class:`~nightowl.analysis.anomaly.baseline.Baseline` says what the value should be (fast
   level, slow level or daily profile, whichever has been most accurate) and how many error
   scales away the value is;
2. :class:`~nightowl.analysis.anomaly.tail.TailModel` turns ``log(1 + |z|)`` into a surprise
   ``-ln p`` against the stream's own history of residuals, so the score means the same on a
   quiet latency series and on a bursty request-rate series;
3. hold-off: after an alert-grade surprise, the detector stays quiet for a while unless the
   surprise grows, as an on-call human would (one page per incident, a new one if it worsens);
4. :class:`~nightowl.analysis.anomaly.changepoint.OnsetTracker` (optional) keeps the onset,
   direction and size of the excursion under way.

The score is ``surprise / (surprise + ln 1e6)``: 0.5 means a one-in-a-million residual.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from nightowl.analysis.anomaly.baseline import Baseline
from nightowl.analysis.anomaly.changepoint import Direction, Excursion, OnsetTracker
from nightowl.analysis.anomaly.detector import PointScore
from nightowl.analysis.anomaly.tail import TailModel
from nightowl.domain.base import Model

SURPRISE_HALF = math.log(1e6)


class ResidualSettings(Model):
    """How the detector weighs history. No per-series knob: ``horizon`` is a unit of time.

    ``horizon`` is the number of points the detector treats as "recent history" (NAB hands every
    detector its probationary period for this; a live stream can use a day or a week of points).
    """

    horizon: int = 750
    warmup: int = 100
    hold_off: float = 0.4
    alert_surprise: float = 7.0
    tail_beta: float = 0.05
    tail_rate: float = 0.02


def score_of(surprise: float) -> float:
    """Map a surprise ``-ln p`` to a score in [0, 1)."""
    return surprise / (surprise + SURPRISE_HALF)


class ResidualDetector:
    """Score a metric stream point by point. Not thread-safe: one instance per series.

    Timestamps must be increasing unix seconds. ``update`` never raises on finite input; NaN
    values are skipped (scored 0, state untouched).
    """

    __slots__ = (
        "_alert_at",
        "_alert_surprise",
        "_baseline",
        "_hold",
        "_n",
        "_onsets",
        "_settings",
        "_tail",
    )

    def __init__(self, settings: ResidualSettings | None = None, *, onsets: bool = True) -> None:
        self._settings = settings or ResidualSettings()
        s = self._settings
        self._baseline = Baseline()
        self._tail = TailModel(beta=s.tail_beta, rate=s.tail_rate, warmup=s.warmup)
        self._onsets = OnsetTracker(horizon=s.horizon) if onsets else None
        self._hold = max(int(s.hold_off * s.horizon), 0)
        self._n = 0
        self._alert_at = -(10**18)
        self._alert_surprise = 0.0

    def step(self, ts: float, x: float) -> tuple[float, float]:
        """The fast path: update and return ``(surprise, expected)``; surprise 0 if held off."""
        if x != x:  # NaN: a gap in the series, nothing to learn
            return 0.0, x
        if self._onsets is not None:
            self._onsets.update(ts, x)
        self._n += 1
        residual = self._baseline.observe(ts, x)
        if residual is None:
            return 0.0, x
        surprise = self._tail.update(math.log1p(abs(residual.z)))
        held = self._n - self._alert_at <= self._hold
        if held and surprise <= self._alert_surprise:
            return 0.0, residual.expected
        if surprise >= self._settings.alert_surprise:
            self._alert_at, self._alert_surprise = self._n, surprise
        return surprise, residual.expected

    def update(self, ts: float, x: float) -> PointScore:
        """Score one point and describe the excursion it belongs to."""
        surprise, expected = self.step(ts, x)
        if self._onsets is None:
            excursion = Excursion(
                ts, Direction.UP if x >= expected else Direction.DOWN, expected, x
            )
        else:
            excursion = self._onsets.excursion(ts, x)
        return PointScore(
            ts=ts,
            value=x,
            expected=expected,
            score=score_of(surprise),
            surprise=surprise,
            onset=min(excursion.onset, ts),
            direction=excursion.direction,
            baseline=excursion.reference,
            observed=excursion.observed,
            strength=excursion.strength,
        )


def residual_scores(
    timestamps: Sequence[float] | npt.NDArray[np.float64],
    values: Sequence[float] | npt.NDArray[np.float64],
    settings: ResidualSettings | None = None,
) -> npt.NDArray[np.float64]:
    """Batch helper: the score of every point, computed by streaming through the series."""
    detector = ResidualDetector(settings, onsets=False)
    step = detector.step
    stamps = np.asarray(timestamps, dtype=np.float64).tolist()
    points = np.asarray(values, dtype=np.float64).tolist()
    if len(stamps) != len(points):
        raise ValueError("timestamps and values differ in length")
    surprises = [step(t, v)[0] for t, v in zip(stamps, points, strict=True)]
    out = np.asarray(surprises, dtype=np.float64)
    return out / (out + SURPRISE_HALF)
