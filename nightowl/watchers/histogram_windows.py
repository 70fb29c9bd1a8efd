"""A ``model_drift`` watcher's windows read from Prometheus histograms (``options.histograms``).

Each column is a histogram the serving layer exports (its ``_bucket`` series, one per ``le``).
The current window is the increase of every bucket over the last ``window_minutes`` before the
run; the reference window the increase over as many minutes, ``reference_offset_minutes``
earlier — a week by default, so the reference is the same hour of the same weekday and daily and
weekly cycles do not read as drift. One instant query per window and column:
``sum by (le) (increase(<selector>[<window>m]))``, through the ``prometheus`` connector (any
Prometheus-compatible backend: VictoriaMetrics, Thanos, Mimir).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.domain import Series
from nightowl.errors import ConnectorError, InputError, WatcherError
from nightowl.mlops.histograms import Buckets

WEEK_MINUTES = 7 * 24 * 60


class HistogramWindows(BaseModel):
    """``options.histograms`` of a ``model_drift`` watcher."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prometheus: PrometheusConfig
    columns: dict[str, str] = Field(min_length=1)
    """Column → the histogram's ``_bucket`` series selector, e.g.
    ``model_input_bucket{model="churn",feature="height_cm"}``."""
    reference_offset_minutes: int = Field(default=WEEK_MINUTES, gt=0)


def query(selector: str, minutes: int) -> str:
    """The PromQL of one window of one histogram: each bucket's increase, summed by bound."""
    return f"sum by (le) (increase({selector}[{minutes}m]))"


def buckets(found: list[Series], column: str) -> Buckets:
    """One window's buckets from the answer's series (one per ``le``); InputError when the
    backend has none for the column (a wrong selector, or no traffic in the window)."""
    pairs = []
    for series in found:
        le = series.labels.get("le")
        if le is None or not series.values or math.isnan(series.values[-1]):
            continue
        pairs.append((math.inf if le == "+Inf" else float(le), series.values[-1]))
    if not pairs:
        raise InputError(
            f"no histogram buckets for column {column!r} in the window: check its selector"
        )
    pairs.sort()
    return Buckets(bounds=tuple(b for b, _ in pairs), cumulative=tuple(c for _, c in pairs))


async def read_histograms(
    windows: HistogramWindows, now: datetime, window_minutes: int, watcher: str
) -> tuple[dict[str, Buckets], dict[str, Buckets]]:
    """(reference, current) buckets per column. A backend that cannot be read is a retryable
    WatcherError (nothing is marked fixed on a run that could not look)."""
    backend = Prometheus(f"{watcher}-histograms", windows.prometheus)
    before = now - timedelta(minutes=windows.reference_offset_minutes)
    reference: dict[str, Buckets] = {}
    current: dict[str, Buckets] = {}
    try:
        for column, selector in windows.columns.items():
            q = query(selector, window_minutes)
            reference[column] = buckets(await backend.query(q, before), column)
            current[column] = buckets(await backend.query(q, now), column)
    except ConnectorError as exc:
        raise WatcherError(str(exc), watcher=watcher, retryable=exc.retryable) from None
    except InputError as exc:
        raise WatcherError(str(exc), watcher=watcher) from None
    return reference, current
