"""How closely each service's signal follows the symptom that paged: correlation with the target.

A root cause moves with the symptom it causes: its signal rises and falls when the symptom's does.
So, given the symptom's service and metric, each service's series of the same metric is compared
with the symptom's over the incident window (from ``baseline`` before the fault time to the end of
the observation), sample by sample on shared timestamps, by Pearson correlation. Services with
fewer than three shared samples, or a flat series, get no correlation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np

from nightowl.analysis.rca.model import RankConfig
from nightowl.domain.base import utc
from nightowl.domain.signals import Series

MIN_SHARED = 3


def _window(series: Series, start: float, end: float) -> dict[float, float]:
    return {
        t: v
        for t, v in zip(series.timestamps, series.values, strict=True)
        if start <= t <= end and np.isfinite(v)
    }


def correlations(
    signals: Mapping[str, Mapping[str, Series]],
    symptom: str,
    metric: str,
    fault_time: datetime,
    config: RankConfig,
) -> dict[str, float]:
    """Service → correlation of its ``metric`` with the symptom's over the incident window."""
    target = signals.get(symptom, {}).get(metric)
    if target is None:
        return {}
    fault = utc(fault_time).timestamp()
    start = fault - config.baseline.total_seconds()
    end = fault + max(config.horizon.total_seconds(), 2.0 * _step(target))
    wanted = _window(target, start, end)
    out: dict[str, float] = {}
    for service, metrics in signals.items():
        series = metrics.get(metric)
        if series is None or service == symptom:
            continue
        seen = _window(series, start, end)
        shared = sorted(set(seen) & set(wanted))
        if len(shared) < MIN_SHARED:
            continue
        x = np.asarray([seen[t] for t in shared])
        y = np.asarray([wanted[t] for t in shared])
        if float(np.std(x)) == 0.0 or float(np.std(y)) == 0.0:
            continue
        out[service] = float(np.corrcoef(x, y)[0, 1])
    return out


def _step(series: Series) -> float:
    ts = np.asarray(series.timestamps, dtype=np.float64)
    return float(np.median(np.diff(ts))) if len(ts) > 1 else 0.0
