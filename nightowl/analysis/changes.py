"""Level changes and monotonic growth in one series, with an onset estimate.

A deliberately simple, robust detector for the spine: the baseline is the median and MAD of
normal operation — the history before the window when the gather stage read one, else the early
part of the window; a change is a recent level that departs from it by more than both a noise
band and a relative floor; the onset is where the departure began and stayed. The streaming
detectors of analysis/anomaly refine this.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from nightowl.analysis.robust import spearman, theil_sen
from nightowl.domain import Series
from nightowl.domain.base import Model

MAD_TO_SIGMA = 1.4826
NOISE_BANDS = 4.0
MIN_POINTS = 8
GROWTH_HISTORY = 240
"""The most history points a growth is dated over (2 hours at 30 s): Theil-Sen is quadratic in the
points, and a leak that began more than that before the window still shows as a climb in it."""


class Change(Model):
    """A departure from baseline: which way, how much, since when."""

    direction: int
    baseline: float
    level: float
    ratio: float
    onset: datetime
    onset_index: int


class Growth(Model):
    """A steady climb: rank correlation with time and relative growth over the span."""

    rho: float
    growth: float
    start: datetime


def detect_change(
    series: Series, *, min_ratio: float = 0.3, recent: int = 4, history: Series | None = None
) -> Change | None:
    """The latest sustained level change in ``series`` against ``history`` (the same signal in
    normal operation) when it has enough points, else against the window's first third; or None.
    """
    values = np.asarray(series.values, dtype=np.float64)
    n = len(values)
    if n < MIN_POINTS:
        return None
    past = np.asarray(history.values if history else (), dtype=np.float64)
    past = past[np.isfinite(past)]
    base = past if len(past) >= 2 * MIN_POINTS else values[: max(MIN_POINTS // 2, n // 3)]
    median = float(np.median(base))
    sigma = MAD_TO_SIGMA * float(np.median(np.abs(base - median)))
    band = max(NOISE_BANDS * sigma, min_ratio * abs(median), 1e-12)
    level = float(np.median(values[-recent:]))
    if abs(level - median) <= band:
        return None
    direction = 1 if level > median else -1
    outside = (values - median) * direction > band / 2
    onset_index = n - 1
    while onset_index > 0 and outside[onset_index - 1]:
        onset_index -= 1
    ratio = level / median if median else float("inf")
    return Change(
        direction=direction,
        baseline=median,
        level=level,
        ratio=ratio,
        onset=_at(series, onset_index),
        onset_index=onset_index,
    )


def detect_growth(
    series: Series, *, min_rho: float = 0.8, min_growth: float = 0.15, history: Series | None = None
) -> Growth | None:
    """Monotonic growth: since the level began to rise, or across the whole window (a slow leak).

    Growth is measured with a Theil-Sen line (robust to noise and spikes) over the span, relative to
    the line's level at the span's start. With ``history`` (the same signal before the window), the
    span may begin in it: a leak that began long before the page is dated from its real start.
    """
    series = _joined(history, series) if history is not None else series
    values = np.asarray(series.values, dtype=np.float64)
    if len(values) < MIN_POINTS:
        return None
    change = detect_change(series, min_ratio=min_growth)
    starts = [max(0, change.onset_index - 2)] if change and change.direction > 0 else []
    if starts and _climbs(values[: starts[0]], min_rho):
        starts = []  # the level was already rising before the "onset": a leak older than the window
    for start in [*starts, 0]:
        tail = values[start:]
        if len(tail) < MIN_POINTS:
            continue
        x = np.arange(len(tail), dtype=np.float64)
        rho = spearman(x, tail)
        slope, intercept = theil_sen(tail, x)
        growth = float(slope * (len(tail) - 1) / intercept) if intercept > 0 else 0.0
        if rho >= min_rho and growth >= min_growth:
            return Growth(rho=rho, growth=growth, start=_at(series, start))
    return None


def _joined(history: Series, series: Series) -> Series:
    """``history``'s points before ``series`` starts, then ``series``."""
    first = series.timestamps[0] if series.timestamps else float("inf")
    past = [(t, v) for t, v in zip(history.timestamps, history.values, strict=True) if t < first]
    past = past[-GROWTH_HISTORY:]
    if len(past) < 2 * MIN_POINTS:
        return series
    return series.model_copy(
        update={
            "timestamps": tuple(t for t, _ in past) + tuple(series.timestamps),
            "values": tuple(v for _, v in past) + tuple(series.values),
        }
    )


def _climbs(values: npt.NDArray[np.float64], min_rho: float) -> bool:
    if len(values) < MIN_POINTS:
        return False
    rho = spearman(np.arange(len(values)), values)
    return rho >= min_rho


def _at(series: Series, index: int) -> datetime:
    return datetime.fromtimestamp(series.timestamps[index], UTC)
