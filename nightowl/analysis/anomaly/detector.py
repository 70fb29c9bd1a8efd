"""nightowl's streaming metric anomaly detector: one point in, one score out, and its excursion.

The score is the resonance detector's (:mod:`.resonance`: is the recent shape of the series a
novelty against what its history taught?), calibrated on the first ``horizon`` points, which it
never scores: give it that much history before the window that matters (NAB's probationary
period; in an incident, points read from the metrics backend before the window). The
description of each point comes from two cheap companions: :class:`~.baseline.Baseline` (what
the value should be) and :class:`~.changepoint.OnsetTracker` (when the excursion under way began,
which way it goes, how far). :func:`score_series` is the batch helper over the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nightowl.analysis.anomaly.baseline import Baseline
from nightowl.analysis.anomaly.changepoint import Direction, OnsetTracker
from nightowl.analysis.anomaly.resonance import ResonanceDetector, ResonanceSettings
from nightowl.domain.base import Model


class DetectorSettings(Model):
    """``horizon``: points of calibration history (no score before it). The rest are constants.

    ``margin`` widens the range learned from the history by that many spans on each side;
    ``grow`` is how far beyond a new extreme the range then widens (in spans); ``soft``
    saturates beyond the range instead (see :class:`~.resonance.ResonanceSettings`). The
    defaults are the configuration chosen on all local NAB categories; the leave-one-category-
    out figures in ``docs/benchmarks.md`` measure that choice.
    """

    horizon: int = 750
    margin: float = 1.0
    grow: float | None = 0.25
    soft: bool = False

    def resonance(self) -> ResonanceSettings:
        return ResonanceSettings(
            horizon=self.horizon, margin=self.margin, grow=self.grow, soft=self.soft
        )


@dataclass(frozen=True, slots=True)
class PointScore:
    """The verdict on one point; the last four fields describe the excursion it belongs to.

    ``baseline`` is the level before the excursion, ``observed`` the mean since ``onset`` and
    ``strength`` the change detector's statistic (0 when no excursion is under way).
    ``surprise`` is the detector's own evidence (the score before any mapping; for the
    resonance detector the score itself).
    """

    ts: float
    value: float
    expected: float
    score: float
    surprise: float
    onset: float
    direction: Direction
    baseline: float
    observed: float
    strength: float = 0.0

    @property
    def change(self) -> float:
        """Relative change against the baseline (absolute when the baseline is 0)."""
        delta = self.observed - self.baseline
        return delta / abs(self.baseline) if self.baseline else delta


class StreamingDetector:
    """Score a metric stream point by point. Not thread-safe: one instance per series.

    Timestamps must be increasing unix seconds. ``update`` never raises on finite input; NaN
    values are skipped (scored 0, state untouched).
    """

    __slots__ = ("_baseline", "_expected", "_onsets", "_resonance")

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        s = settings or DetectorSettings()
        self._resonance = ResonanceDetector(s.resonance())
        self._baseline = Baseline()
        self._onsets = OnsetTracker(horizon=s.horizon)
        self._expected: float | None = None

    @property
    def calibrated(self) -> bool:
        """Whether the calibration history has been seen (scores are 0 before)."""
        return self._resonance.calibrated

    def update(self, ts: float, x: float) -> PointScore:
        """Score one point and describe the excursion it belongs to."""
        score = self._resonance.update(x)
        if x == x:
            self._onsets.update(ts, x)
            residual = self._baseline.observe(ts, x)
            self._expected = residual.expected if residual is not None else x
        expected = self._expected if self._expected is not None else x
        excursion = self._onsets.excursion(ts, x)
        return PointScore(
            ts=ts,
            value=x,
            expected=expected,
            score=score,
            surprise=score,
            onset=min(excursion.onset, ts),
            direction=excursion.direction,
            baseline=excursion.reference,
            observed=excursion.observed,
            strength=excursion.strength,
        )


def score_series(
    timestamps: Sequence[float] | npt.NDArray[np.float64],
    values: Sequence[float] | npt.NDArray[np.float64],
    settings: DetectorSettings | None = None,
) -> npt.NDArray[np.float64]:
    """Batch helper: the score of every point, streaming through the series once, in order."""
    points = np.asarray(values, dtype=np.float64)
    if len(np.asarray(timestamps)) != len(points):
        raise ValueError("timestamps and values differ in length")
    update = ResonanceDetector((settings or DetectorSettings()).resonance()).update
    return np.fromiter((update(x) for x in points.tolist()), dtype=np.float64, count=len(points))
