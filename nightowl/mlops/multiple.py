"""Multiple-testing control across a model's features, so 200 features tested every hour do not
page every hour: Benjamini–Hochberg (false discovery rate, the default) or Holm (family-wise
error rate). Both return adjusted p-values in the input's order; a feature drifts when its
adjusted p-value is below α."""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class Correction(StrEnum):
    """How p-values are adjusted across the features of one check."""

    BH = "bh"
    HOLM = "holm"
    NONE = "none"


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """BH step-up adjusted p-values: min over k ≥ i of p₍ₖ₎·n/k, capped at 1."""
    p = np.asarray(p_values, dtype=np.float64)
    n = p.size
    if n == 0:
        return []
    order = np.argsort(p)
    scaled = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(adjusted, 1.0)
    return [float(v) for v in out]


def holm(p_values: list[float]) -> list[float]:
    """Holm step-down adjusted p-values: max over k ≤ i of p₍ₖ₎·(n − k + 1), capped at 1."""
    p = np.asarray(p_values, dtype=np.float64)
    n = p.size
    if n == 0:
        return []
    order = np.argsort(p)
    scaled = p[order] * (n - np.arange(n))
    adjusted = np.maximum.accumulate(scaled)
    out = np.empty(n)
    out[order] = np.minimum(adjusted, 1.0)
    return [float(v) for v in out]


def adjust(p_values: list[float], correction: Correction) -> list[float]:
    if correction is Correction.BH:
        return benjamini_hochberg(p_values)
    if correction is Correction.HOLM:
        return holm(p_values)
    return list(p_values)
