"""Rank statistics for the change detectors, in numpy: Spearman's rank correlation and the
Theil-Sen slope.

These two functions were scipy's (``scipy.stats.spearmanr`` and ``scipy.stats.theilslopes``),
the only thing nightowl used of a 143 MB dependency. They compute the same values — ties get
their average rank, the slope is the median of the pairwise slopes and the intercept is
``median(y) - slope * median(x)`` (scipy's default "separate" method) — and
tests/analysis/test_robust.py checks them against scipy on random, tied and degenerate input.
Input with a NaN gives NaN, as scipy's default ``nan_policy="propagate"`` does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def average_ranks(values: npt.ArrayLike) -> Floats:
    """Ranks from 1, ties sharing the mean of the ranks they span (``scipy.stats.rankdata``)."""
    data = np.asarray(values, dtype=np.float64)
    if np.isnan(data).any():
        return np.full(data.shape, np.nan)
    _, inverse, counts = np.unique(data, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0
    return mean_rank[inverse.reshape(-1)].astype(np.float64)


def spearman(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Spearman's rank correlation of two equally long samples; NaN if either is constant or
    holds a NaN (there is no correlation to speak of)."""
    rx, ry = average_ranks(x), average_ranks(y)
    if rx.shape != ry.shape:
        raise ValueError(f"samples of different lengths: {rx.shape[0]} and {ry.shape[0]}")
    if len(rx) < 2 or np.isnan(rx).any() or np.isnan(ry).any():
        return float("nan")
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt(np.dot(dx, dx) * np.dot(dy, dy)))
    if denominator == 0.0:
        return float("nan")
    return float(np.clip(np.dot(dx, dy) / denominator, -1.0, 1.0))


def theil_sen(y: npt.ArrayLike, x: npt.ArrayLike) -> tuple[float, float]:
    """The Theil-Sen line through ``(x, y)``: the median of the slopes between every pair of
    points with distinct x, and the intercept ``median(y) - slope * median(x)``.

    Quadratic in the points (callers bound them); ValueError if every x is the same."""
    ys, xs = np.asarray(y, dtype=np.float64), np.asarray(x, dtype=np.float64)
    if ys.shape != xs.shape:
        raise ValueError(f"samples of different lengths: {ys.shape[0]} and {xs.shape[0]}")
    first, second = np.triu_indices(len(xs), k=1)
    dx = xs[second] - xs[first]
    distinct = dx != 0
    if not distinct.any():
        raise ValueError("every x is the same: a slope needs two distinct x values")
    slopes = (ys[second] - ys[first])[distinct] / dx[distinct]
    slope = float(np.median(slopes))
    return slope, float(np.median(ys) - slope * np.median(xs))
