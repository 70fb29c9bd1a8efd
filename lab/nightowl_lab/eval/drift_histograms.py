"""The drift benchmark's histogram detector: what ``model_drift`` sees from Prometheus histograms.

A serving layer's histogram has bucket bounds fixed when the exporter was written, before any
window is seen. Here each column's bounds are the deciles of the whole table (numeric) or its
distinct codes (``sex``) — well-chosen buckets, as a team that knows its data would configure
them — and every window is counted into those buckets and compared with
``mlops.histograms.compare_histograms``, the watcher's code path, on the same windows as the
other detectors.
"""

from __future__ import annotations

import numpy as np

from nightowl.mlops.frames import Table
from nightowl.mlops.histograms import Buckets, compare_histograms
from nightowl_lab.eval.drift import Detector
from nightowl_lab.eval.drift_data import CATEGORICAL, NAMES, Dataset
from nightowl_lab.eval.drift_paging import Flags

DECILES = np.linspace(0.1, 0.9, 9)


def bounds_of(data: Dataset) -> dict[str, tuple[float, ...]]:
    """Each column's bucket bounds (``+Inf`` last), fixed from the whole table."""
    out = {}
    for j, name in enumerate(NAMES):
        column = data.features[:, j]
        inner = (
            np.unique(column) if name in CATEGORICAL else np.unique(np.quantile(column, DECILES))
        )
        out[name] = (*(float(b) for b in inner), float("inf"))
    return out


def counted(values: list[str | None], bounds: tuple[float, ...]) -> Buckets:
    """A window as the histogram would export it: cumulative counts per bound."""
    numbers = np.array([float(v) for v in values if v is not None], dtype=np.float64)
    return Buckets(bounds=bounds, cumulative=tuple(float(np.sum(numbers <= b)) for b in bounds))


def histogram_detector(data: Dataset) -> Detector:
    """The detector over ``data``'s fixed buckets."""
    bounds = bounds_of(data)

    def detect(reference: Table, current: Table) -> Flags:
        ref = {n: counted(reference[n], bounds[n]) for n in NAMES}
        cur = {n: counted(current[n], bounds[n]) for n in NAMES}
        report = compare_histograms(ref, cur)
        return {f.name: (f.cause.value if f.cause else None, f.adjusted_p) for f in report.drifted}

    return detect
