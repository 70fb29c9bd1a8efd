"""What a signal looks like in normal operation, learnt from history: its level, spread and day.

``learn_normal`` reads a signal over a stretch of normal operation (the same hours yesterday, the
last days) and keeps its median level, its robust spread (the largest of MAD, interquartile and
10–90 % ranges, as ``anomaly.robust_scale``) and, when the history spans enough days, its
time-of-day profile: the median of each hour of the day, minus the overall median. The profile is
kept only when it explains the signal — when the spread of the values around their hour's level is
clearly smaller than their spread around the overall level — so a flat or noisy signal is never
"seasonal" by accident. The sorted normal values are kept too: how many of them an observation
exceeds says how rare it is, whatever the signal's shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from nightowl.analysis.rca.model import RankConfig
from nightowl.domain.signals import Series

Floats = npt.NDArray[np.float64]
MAD_TO_SIGMA = 1.4826
IQR_TO_SIGMA = 1.349
IDR_TO_SIGMA = 2.563
HOURS = 24
DAY = 86_400.0
SEASONAL_GAIN = 0.8
"""A time-of-day profile is kept when it cuts the spread to this share or less."""


def spread(values: Floats) -> float:
    """The robust spread of ``values``: the largest of its MAD, IQR and 10–90 % range, in σ."""
    median = float(np.median(values))
    mad = MAD_TO_SIGMA * float(np.median(np.abs(values - median)))
    q10, q25, q75, q90 = np.percentile(values, [10.0, 25.0, 75.0, 90.0])
    return max(mad, float(q75 - q25) / IQR_TO_SIGMA, float(q90 - q10) / IDR_TO_SIGMA)


@dataclass(frozen=True, slots=True)
class Normal:
    """A signal's normal behaviour: level, spread, optional hourly profile, sorted normal values.

    ``values`` are the history's values with the hourly profile taken out (when there is one),
    sorted; ``level_at`` gives the normal level at a unix time. Immutable, safe to share.
    """

    level: float
    scale: float
    values: Floats
    hourly: tuple[float, ...] | None = None

    def z(self, value: float, rel_floor: float, tail: float) -> float:
        """How unusual ``value`` is, in σ: its distance from the level, capped by its rarity.

        The distance is in units of the spread (never below ``rel_floor`` of the level). A value
        inside the normal range (between the ``tail`` and ``1 - tail`` quantiles of the normal
        values) is worth no more than its rarity among them (the normal quantile of the share of
        normal values at least as far out); beyond the range, the rarity of the range's edge plus
        the distance past it. So a sparse signal that was 0 most of the time and sometimes 20 is
        not "a thousand σ" away when it reads 20 again.
        """
        scale = max(self.scale, rel_floor * max(abs(self.level), abs(value)), 1e-12)
        far = (value - self.level) / scale
        n = len(self.values)
        if far == 0.0 or n == 0:
            return far
        rises = far > 0.0
        edge = float(np.quantile(self.values, 1.0 - tail if rises else tail))
        beyond = value - edge if rises else edge - value
        if beyond > 0.0:
            capped = _rarity(tail) + beyond / scale
        else:
            count = (
                n - int(np.searchsorted(self.values, value, side="left"))
                if rises
                else (int(np.searchsorted(self.values, value, side="right")))
            )
            capped = _rarity((count + 1.0) / (n + 2.0))
        return float(np.sign(far)) * min(abs(far), capped)

    def level_at(self, at: float) -> float:
        """The normal level at unix time ``at`` (the hour's level with a profile)."""
        if self.hourly is None:
            return self.level
        return self.level + self.hourly[_hour(at)]


def _rarity(share: float) -> float:
    """The one-sided normal quantile of a tail share: 0.5 → 0, 0.0013 → 3."""
    return max(0.0, NormalDist().inv_cdf(1.0 - min(max(share, 1e-12), 0.5)))


def _hour(at: float) -> int:
    return int((at % DAY) // 3600.0) % HOURS


def _profile(ts: Floats, vs: Floats, config: RankConfig) -> tuple[float, ...] | None:
    """Hourly medians minus the overall median, when every hour has enough days of samples."""
    if len(ts) == 0 or float(ts[-1] - ts[0]) < config.seasonal_days * DAY:
        return None
    hours = ((ts % DAY) // 3600.0).astype(np.int64) % HOURS
    days = (ts // DAY).astype(np.int64)
    median = float(np.median(vs))
    profile: list[float] = []
    for hour in range(HOURS):
        chosen = hours == hour
        if len(set(days[chosen].tolist())) < config.seasonal_days:
            return None
        profile.append(float(np.median(vs[chosen])) - median)
    return tuple(profile)


def learn_normal(series: Series, config: RankConfig) -> Normal | None:
    """The normal behaviour of ``series``, or ``None`` with fewer than ``min_history`` samples."""
    ts = np.asarray(series.timestamps, dtype=np.float64)
    vs = np.asarray(series.values, dtype=np.float64)
    ok = np.isfinite(ts) & np.isfinite(vs)
    ts, vs = ts[ok], vs[ok]
    if len(vs) < config.min_history:
        return None
    order = np.argsort(ts, kind="stable")
    ts, vs = ts[order], vs[order]
    level = float(np.median(vs))
    scale = spread(vs)
    hourly = _profile(ts, vs, config)
    if hourly is not None:
        hours = ((ts % DAY) // 3600.0).astype(np.int64) % HOURS
        residual = vs - np.asarray(hourly)[hours]
        if spread(residual) <= SEASONAL_GAIN * scale:
            return Normal(level, spread(residual), np.sort(residual), hourly)
    return Normal(level, scale, np.sort(vs))


def learn_normals(
    history: dict[str, dict[str, Series]], config: RankConfig
) -> dict[tuple[str, str], Normal]:
    """``(service, metric)`` → its normal behaviour, for every history series long enough."""
    out: dict[tuple[str, str], Normal] = {}
    for service, metrics in history.items():
        for metric, series in metrics.items():
            normal = learn_normal(series, config)
            if normal is not None:
                out[(service, metric)] = normal
    return out
