"""The Mann–Whitney U test (Wilcoxon rank-sum), as Kayenta's judge uses it.

Two independent samples; no assumption of normality, which matters for latency and error rates
(skewed, spiky). Ties get mid-ranks and the variance its tie correction; the p-value is the normal
approximation with a continuity correction — what scipy's ``mannwhitneyu(method="asymptotic")``
computes, and the tests hold it to scipy's values. Written here because scipy is not a product
dependency (numpy is).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum

import numpy as np

from nightowl.domain.base import Model


class Alternative(StrEnum):
    """What the test asks of ``x`` (the canary) against ``y`` (the baseline)."""

    GREATER = "greater"
    """x tends to be larger than y (a rise is the worry: errors, latency, saturation)."""
    LESS = "less"
    """x tends to be smaller than y (a fall is the worry: throughput, success rate)."""
    TWO_SIDED = "two-sided"


class UTest(Model):
    """One test's outcome: ``u`` is the U statistic of ``x``, ``z`` its standardised value."""

    u: float
    z: float
    p_value: float
    n_x: int
    n_y: int


def _ranks(values: np.ndarray) -> tuple[np.ndarray, float]:
    """Mid-ranks (1-based) of ``values`` and the tie term Σ(t³ − t) over the groups of ties."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    _, starts, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    mid = starts + (counts + 1) / 2.0  # the mean 1-based rank of each tie group
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = np.repeat(mid, counts)
    return ranks, float(np.sum(counts.astype(float) ** 3 - counts))


def _upper(z: float) -> float:
    """P(Z ≥ z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def mann_whitney_u(
    x: Sequence[float], y: Sequence[float], alternative: Alternative = Alternative.TWO_SIDED
) -> UTest:
    """Test whether ``x`` and ``y`` come from the same distribution.

    ValueError when either sample is empty or holds a NaN. When every value is tied the samples
    cannot be told apart: z is 0 and the p-value 1.
    """
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.size == 0 or b.size == 0:
        raise ValueError("the Mann-Whitney U test needs at least one value in each sample")
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("the Mann-Whitney U test cannot rank NaN values")
    n1, n2 = a.size, b.size
    ranks, ties = _ranks(np.concatenate([a, b]))
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2.0)
    n = n1 + n2
    mean = n1 * n2 / 2.0
    variance = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    if variance <= 0:
        return UTest(u=u, z=0.0, p_value=1.0, n_x=n1, n_y=n2)
    sd = math.sqrt(variance)
    if alternative is Alternative.GREATER:
        z = (u - mean - 0.5) / sd
        p = _upper(z)
    elif alternative is Alternative.LESS:
        z = (u - mean + 0.5) / sd
        p = 1.0 - _upper(z)
    else:
        big = max(u, n1 * n2 - u)
        z = (big - mean - 0.5) / sd
        p = min(1.0, 2.0 * _upper(z))
    return UTest(u=u, z=z, p_value=float(min(1.0, max(0.0, p))), n_x=n1, n_y=n2)
