"""How far a signal moved after the fault time: a robust, agreement-weighted shift of its level.

The reference is the signal's normal behaviour learnt from history (``normal.learn_normal``) when
there is one, else the window before the fault time. The observation is the window after it, at
least two samples of the signal long (coarse data needs a longer look). The shift is measured on
the median and on the upper quartile of the observation (a fault that hits a fraction of requests
moves the upper part of the distribution first), in units of the reference's robust scale — the
largest of its MAD, interquartile and 10–90 % ranges, so a signal that flips between two levels is
judged by the size of its flips. The scale has a floor relative to the signal's level, so a flat
signal (a constant, a count that was always zero) cannot produce an unbounded shift.

Against history, what the signal already showed just before the fault is taken off: a signal that
was as far from normal before the fault as after it says nothing about this fault.

The shift is then weighted by how consistently the observation sits on one side of the reference
(the pairwise dominance, +1 when every observed value is above every reference value) and
compressed with ``log1p``: a hundredfold change is worth more than a tenfold one, not ten times
more.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from nightowl.analysis.rca.model import RankConfig, SignalAnomaly
from nightowl.analysis.rca.normal import Normal, spread
from nightowl.domain.base import utc
from nightowl.domain.signals import Series

Floats = npt.NDArray[np.float64]
ONSET_Z = 3.0
QUANTILES = (50.0, 75.0)


def _windows(
    series: Series, fault: float, config: RankConfig
) -> tuple[Floats, Floats, Floats, Floats]:
    """Values and times before the fault (within ``baseline``) and after it (in time order)."""
    ts = np.asarray(series.timestamps, dtype=np.float64)
    vs = np.asarray(series.values, dtype=np.float64)
    ok = np.isfinite(vs) & np.isfinite(ts)
    ts, vs = ts[ok], vs[ok]
    order = np.argsort(ts, kind="stable")
    ts, vs = ts[order], vs[order]
    step = float(np.median(np.diff(ts))) if len(ts) > 1 else 0.0
    horizon = max(config.horizon.total_seconds(), 2.0 * step - 1.0)
    start = fault - config.baseline.total_seconds()
    before = (ts >= start) & (ts < fault)
    after = (ts >= fault) & (ts <= fault + horizon)
    return vs[before], ts[before], vs[after], ts[after]


def robust_scale(baseline: Floats, level: float, observed: float, rel_floor: float) -> float:
    """The baseline's spread (MAD, IQR or 10–90% range), never below ``rel_floor`` of the level."""
    floor = rel_floor * max(abs(level), abs(observed))
    return max(spread(baseline), floor, 1e-12)


def dominance(before: Floats, after: Floats) -> float:
    """P(after > before) - P(after < before) over all pairs: +1 when every value rose."""
    ranked = np.sort(before)
    above = np.searchsorted(ranked, after, side="left").sum()
    below = (len(ranked) - np.searchsorted(ranked, after, side="right")).sum()
    return float(above - below) / float(len(before) * len(after))


def _compress(z: float, weight: float, config: RankConfig) -> float:
    z = float(np.clip(z, -config.max_score, config.max_score))
    return float(np.sign(z) * abs(weight) * np.log1p(abs(z)))


def shift(before: Floats, after: Floats, config: RankConfig) -> tuple[float, float]:
    """The signed, compressed shift of ``after`` against ``before``, and the observed level."""
    best, observed = 0.0, float(np.median(before))
    for q in QUANTILES:
        base_q = float(np.percentile(before, q))
        obs_q = float(np.percentile(after, q))
        z = (obs_q - base_q) / robust_scale(before, base_q, obs_q, config.rel_floor)
        if abs(z) > abs(best):
            best, observed = z, obs_q
    return _compress(best, dominance(before, after), config), observed


def shift_from_normal(
    normal: Normal,
    before: tuple[Floats, Floats],
    after: tuple[Floats, Floats],
    config: RankConfig,
) -> tuple[float, float, float]:
    """The compressed shift of ``after`` from normal, less the one ``before`` already showed.

    Returns the score, the normal level and the observed level.
    """
    (after_vs, after_ts), (before_vs, before_ts) = after, before
    levels = np.asarray([normal.level_at(t) for t in after_ts])
    residual = after_vs - levels + normal.level
    best, observed = 0.0, float(np.median(after_vs))
    for q in QUANTILES:
        obs_q = float(np.percentile(residual, q))
        z = normal.z(obs_q, config.history_floor, config.tail)
        if abs(z) > abs(best):
            best, observed = z, float(np.percentile(after_vs, q))
    if len(before_vs):
        prior = np.asarray([normal.level_at(t) for t in before_ts])
        already = normal.z(
            float(np.median(before_vs - prior + normal.level)), config.history_floor, config.tail
        )
        if already * best > 0.0:
            best = float(np.sign(best)) * max(0.0, abs(best) - abs(already))
    weight = dominance(normal.values, residual)
    return _compress(best, weight, config), normal.level, observed


def _fits(normal: Normal, before: Floats, before_ts: Floats, config: RankConfig) -> bool:
    """Whether the window before the fault looks like the history (so the history applies).

    A history learnt at night does not describe a load test by day: when the signal's level just
    before the fault is already more than ``regime_z`` from normal, the window before the fault is
    the better reference. With too few samples before the fault, the history is all there is.
    """
    if len(before) < config.min_baseline:
        return True
    prior = np.asarray([normal.level_at(t) for t in before_ts])
    level = float(np.median(before - prior + normal.level))
    return abs(normal.z(level, config.history_floor, config.tail)) <= config.regime_z


def score_series(
    service: str,
    series: Series,
    fault_time: datetime,
    config: RankConfig,
    normal: Normal | None = None,
) -> SignalAnomaly | None:
    """The signal's shift after ``fault_time``, or ``None`` when either window is too thin.

    With ``normal`` (learnt from history) the shift is taken from it; else from the window before
    the fault, which then needs ``min_baseline`` samples.
    """
    fault = utc(fault_time).timestamp()
    before, before_ts, after, after_ts = _windows(series, fault, config)
    if len(after) == 0:
        return None
    recent = len(before) >= config.min_baseline
    if normal is None and not recent:
        return None
    if recent:
        score, observed = shift(before, after, config)
        level = float(np.median(before))
        scale = robust_scale(before, level, observed, config.rel_floor)
        away = np.abs(after - level) / scale >= ONSET_Z
    if normal is not None:
        from_normal, normal_level, normal_observed = shift_from_normal(
            normal, (before, before_ts), (after, after_ts), config
        )
        # With both references the evidence must hold against both: departed from normal
        # operation and changed at the fault. The weaker of the two is what the signal says.
        if not recent or abs(from_normal) < abs(score) or from_normal * score <= 0.0:
            if recent and from_normal * score <= 0.0:
                from_normal = 0.0
            score, level, observed = from_normal, normal_level, normal_observed
            scale = max(normal.scale, config.rel_floor * abs(level), 1e-12)
            levels = np.asarray([normal.level_at(t) for t in after_ts])
            away = np.abs(after - levels) / scale >= ONSET_Z
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
