"""How far a signal moved after the fault time: a robust shift of its level against its baseline.

The baseline is the window before the fault time; the observation is the window after it. The
shift is measured on the median and on the upper quartile of the observation (a fault that hits a
fraction of requests moves the upper part of the distribution first), in units of the baseline's
robust scale. The scale has a floor relative to the signal's level, so a signal that was flat
(a constant, or a count that was always zero) cannot produce an unbounded score: a change of
``1 / rel_floor`` times the level is the most a signal can say.
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


def _windows(series: Series, fault: float, config: RankConfig) -> tuple[Floats, Floats, Floats]:
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
    """The baseline's spread (MAD or IQR), never below ``rel_floor`` of the larger level."""
    median = float(np.median(baseline))
    mad = MAD_TO_SIGMA * float(np.median(np.abs(baseline - median)))
    q10, q25, q75, q90 = np.percentile(baseline, [10.0, 25.0, 75.0, 90.0])
    iqr = float(q75 - q25) / IQR_TO_SIGMA
    # A signal that flips between two levels has a small MAD; its 10-90% range shows the flips.
    idr = float(q90 - q10) / IDR_TO_SIGMA
    floor = rel_floor * max(abs(level), abs(observed))
    return max(mad, iqr, idr, floor, 1e-12)


def _dominance(before: Floats, after: Floats) -> float:
    """P(after > before) - P(after < before) over all pairs: +1 when every value rose."""
    ranked = np.sort(before)
    above = np.searchsorted(ranked, after, side="left").sum()
    below = (len(ranked) - np.searchsorted(ranked, after, side="right")).sum()
    return float(above - below) / float(len(before) * len(after))


def _shift(before: Floats, after: Floats, config: RankConfig) -> tuple[float, float]:
    """The compressed, agreement-weighted shift of ``after`` against ``before``, and its level."""
    best, observed = 0.0, float(np.median(before))
    for q in (50.0, 75.0):
        base_q = float(np.percentile(before, q))
        obs_q = float(np.percentile(after, q))
        scale = robust_scale(before, base_q, obs_q, config.rel_floor)
        z = (obs_q - base_q) / scale
        if abs(z) > abs(best):
            best, observed = z, obs_q
    best = float(np.clip(best, -config.max_score, config.max_score))
    # A shift says more when the observation sits consistently on one side of the baseline.
    agreement = abs(_dominance(before, after))
    return float(np.sign(best) * agreement * np.log1p(abs(best))), observed


def _usual_shift(ts: Floats, vs: Floats, fault: float, config: RankConfig) -> float:
    """How far the signal moved, typically, over earlier windows of the same length.

    A signal that jumps about all the time (a sparse percentile, a bursty counter) moves as much
    before the fault as after it; its shift after the fault is worth that much less.
    """
    span, width = config.baseline.total_seconds(), config.horizon.total_seconds()
    shifts: list[float] = []
    for k in range(1, config.calibration_windows + 1):
        at = fault - k * width
        before = vs[(ts >= at - span) & (ts < at)]
        after = vs[(ts >= at) & (ts < at + width)]
        if len(before) >= config.min_baseline and len(after) > 0:
            shifts.append(abs(_shift(before, after, config)[0]))
    return float(np.median(shifts)) if shifts else 0.0


def score_series(
    service: str, series: Series, fault_time: datetime, config: RankConfig
) -> SignalAnomaly | None:
    """The signal's shift after ``fault_time``, or ``None`` when either window is too thin."""
    fault = utc(fault_time).timestamp()
    before, after, after_ts = _windows(series, fault, config)
    if len(before) < config.min_baseline or len(after) == 0:
        return None
    shift, observed = _shift(before, after, config)
    ts = np.asarray(series.timestamps, dtype=np.float64)
    vs = np.asarray(series.values, dtype=np.float64)
    ok = np.isfinite(ts) & np.isfinite(vs) & (ts < fault)
    usual = _usual_shift(ts[ok], vs[ok], fault, config)
    level = float(np.median(before))
    scale = robust_scale(before, level, observed, config.rel_floor)
    away = np.abs(after - level) / scale >= ONSET_Z
    onset = (
        datetime.fromtimestamp(float(after_ts[int(np.argmax(away))]), tz=UTC)
        if away.any()
        else None
    )
    return SignalAnomaly(
        service=service,
        metric=series.metric,
        score=shift / (1.0 + usual),
        baseline=level,
        observed=observed,
        onset=onset,
    )


def _old(
    service: str, series: Series, fault_time: datetime, config: RankConfig
) -> SignalAnomaly | None:
    fault = utc(fault_time).timestamp()
    before, after, after_ts = _windows(series, fault, config)
    if len(before) < config.min_baseline or len(after) == 0:
        return None
    level = float(np.median(before))
    best, observed = 0.0, level
    for q in (50.0, 75.0):
        base_q = float(np.percentile(before, q))
        obs_q = float(np.percentile(after, q))
        scale = robust_scale(before, base_q, obs_q, config.rel_floor)
        z = (obs_q - base_q) / scale
        if abs(z) > abs(best):
            best, observed = z, obs_q
    best = float(np.clip(best, -config.max_score, config.max_score))
    # A shift says more when the observation sits consistently on one side of the baseline.
    agreement = abs(_dominance(before, after))
    best = float(np.sign(best) * agreement * np.log1p(abs(best)))
    scale = robust_scale(before, level, observed, config.rel_floor)
    away = np.abs(after - level) / scale >= ONSET_Z
    onset = (
        datetime.fromtimestamp(float(after_ts[int(np.argmax(away))]), tz=UTC)
        if away.any()
        else None
    )
    return SignalAnomaly(
        service=service,
        metric=series.metric,
        score=best,
        baseline=level,
        observed=observed,
        onset=onset,
    )
