"""Benjamini–Hochberg and Holm against scipy and statsmodels' textbook example."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nightowl.mlops.multiple import Correction, adjust, benjamini_hochberg, holm

P = [0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.049]


def test_bh_matches_scipy() -> None:
    assert benjamini_hochberg(P) == pytest.approx(list(stats.false_discovery_control(P)))


def test_holm_by_hand() -> None:
    # sorted: .005×7, .01×6, .03×5, .04×4, .049×3, .2×2, .5×1, then running max, capped at 1
    expected = {0.005: 0.035, 0.01: 0.06, 0.03: 0.15, 0.04: 0.16, 0.049: 0.16, 0.2: 0.4, 0.5: 0.5}
    assert holm(P) == pytest.approx([expected[p] for p in P])


def test_two_hundred_null_features_rarely_page() -> None:
    rng = np.random.default_rng(0)
    pages = 0
    for _ in range(200):
        p = list(rng.uniform(size=200))
        pages += any(a < 0.05 for a in benjamini_hochberg(p))
    raw = sum(any(x < 0.05 for x in rng.uniform(size=200)) for _ in range(200))
    assert raw == 200  # uncorrected, every hour pages
    assert pages <= 20  # BH under the global null: family-wise rate ≤ α (0.05·200 = 10 expected)


def test_none_keeps_p_values() -> None:
    assert adjust(P, Correction.NONE) == P
    assert adjust([], Correction.BH) == []
