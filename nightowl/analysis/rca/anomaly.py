"""How far a signal moved after the fault time: a robust, agreement-weighted shift of its level.

The baseline is the window before the fault time; the observation is the window after it. The
shift is measured on the median and on the upper quartile of the observation (a fault that hits a
fraction of requests moves the upper part of the distribution first), in units of the baseline's
robust scale — the largest of its MAD, interquartile and 10–90% ranges, so a signal that flips
between two levels is judged by the size of its flips. The scale has a floor relative to the
signal's level, so a flat signal (a constant, a count that was always zero) cannot produce an
unbounded shift.

The shift is then weighted by how consistently the observation sits on one side of the baseline
(the pairwise dominance, +1 when every observed value is above every baseline value) and
compressed with ``log1p``: a hundredfold change is worth more than a tenfold one, not ten times
more.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from nightowl.analysis.rca.model import RankConfig, SignalAnomaly
from nightowl.domain.base import utc
from nightowl.domain.signals import Series

Floats = npt.NDArray[np.float64]
MAD_TO_SIGMA = 1.4826
IQR_TO_SIGMA = 1.349
IDR_TO_SIGMA = 2.563
ONSET_Z = 3.0
QUANTILES = (50.0, 75.0)


def _windows(series: Series, fault: float, config: RankConfig) -> tuple[Floats, Floats, Floats]:
    """Baseline values, observed values and their timestamps (in time order)."""
    ts = np.asarray(series.timestamps, dtype=np.float64)
    vs = np.asarray(series.values, dtype=np.float64)
    ok = np.isfinite(vs) & np.isfinite(ts)
    ts, vs = ts[ok], vs[ok]
    start = fault - config.baseline.total_seconds()
    end = fault + config.horizon.total_seconds()
    before = (ts >= start) & (ts < fault)
    after = (ts >= fault) & (ts <= end)
    order = np.argsort(ts[after], kind="stable")
    return vs[before], vs[after][order], ts[after][order]


def robust_scale(baseline: Floats, level: float, observed: float, rel_floor: float) -> float:
    """The baseline's spread (MAD, IQR or 10–90% range), never below ``rel_floor`` of the level."""
    median = float(np.median(baseline))
    mad = MAD_TO_SIGMA * float(np.median(np.abs(baseline - median)))
    q10, q25, q75, q90 = np.percentile(baseline, [10.0, 25.0, 75.0, 90.0])
    iqr = float(q75 - q25) / IQR_TO_SIGMA
    idr = float(q90 - q10) / IDR_TO_SIGMA
    floor = rel_floor * max(abs(level), abs(observed))
    return max(mad, iqr, idr, floor, 1e-12)


def dominance(before: Floats, after: Floats) -> float:
    """P(after > before) - P(after < before) over all pairs: +1 when every value rose."""
    ranked = np.sort(before)
    above = np.searchsorted(ranked, after, side="left").sum()
    below = (len(ranked) - np.searchsorted(ranked, after, side="right")).sum()
    return float(above - below) / float(len(before) * len(after))


def shift(before: Floats, after: Floats, config: RankConfig) -> tuple[float, float]:
    """The signed, compressed shift of ``after`` against ``before``, and the observed level."""
    best, observed = 0.0, float(np.median(before))
    for q in QUANTILES:
        base_q = float(np.percentile(before, q))
        obs_q = float(np.percentile(after, q))
        z = (obs_q - base_q) / robust_scale(before, base_q, obs_q, config.rel_floor)
        if abs(z) > abs(best):
            best, observed = z, obs_q
    best = float(np.clip(best, -config.max_score, config.max_score))
    weight = abs(dominance(before, after))
    return float(np.sign(best) * weight * np.log1p(abs(best))), observed


def score_series(
    service: str, series: Series, fault_time: datetime, config: RankConfig
) -> SignalAnomaly | None:
    """The signal's shift after ``fault_time``, or ``None`` when either window is too thin."""
    fault = utc(fault_time).timestamp()
    before, after, after_ts = _windows(series, fault, config)
    if len(before) < config.min_baseline or len(after) == 0:
        return None
    score, observed = shift(before, after, config)
    level = float(np.median(before))
    scale = robust_scale(before, level, observed, config.rel_floor)
    away = np.abs(after - level) / scale >= ONSET_Z
    onset = None
    if away.any():
        onset = datetime.fromtimestamp(float(after_ts[int(np.argmax(away))]), tz=UTC)
    return SignalAnomaly(
        service=service,
        metric=series.metric,
        score=score,
        baseline=level,
        observed=observed,
        onset=onset,
    )
