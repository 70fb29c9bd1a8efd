"""The numpy rank statistics give scipy's values (scipy is a test-only dependency for this)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from nightowl.analysis.robust import average_ranks, spearman, theil_sen

RNG = np.random.default_rng(19)


def samples() -> list[tuple[str, np.ndarray, np.ndarray]]:
    n = 200
    x = np.arange(n, dtype=np.float64)
    return [
        ("noise", x, RNG.standard_normal(n)),
        ("climb with noise", x, 0.5 * x + 10 * RNG.standard_normal(n)),
        ("ties in y", x, np.round(RNG.standard_normal(n))),
        ("ties in both", np.round(RNG.uniform(0, 5, n)), np.round(RNG.uniform(0, 5, n))),
        ("spikes", x, np.where(RNG.uniform(size=n) < 0.05, 1e6, x)),
        ("falling", x, -(x**2)),
        ("short", np.arange(3.0), np.array([2.0, 1.0, 3.0])),
    ]


@pytest.mark.parametrize(
    ("x", "y"), [(x, y) for _, x, y in samples()], ids=[s[0] for s in samples()]
)
def test_spearman_equals_scipys(x: np.ndarray, y: np.ndarray) -> None:
    assert spearman(x, y) == pytest.approx(float(stats.spearmanr(x, y).statistic), abs=1e-12)


@pytest.mark.parametrize(
    ("x", "y"), [(x, y) for _, x, y in samples()], ids=[s[0] for s in samples()]
)
def test_theil_sen_equals_scipys(x: np.ndarray, y: np.ndarray) -> None:
    expected = stats.theilslopes(y, x)

    slope, intercept = theil_sen(y, x)

    assert (slope, intercept) == pytest.approx((expected.slope, expected.intercept), rel=1e-12)


def test_ties_share_their_average_rank_as_scipy_ranks_them() -> None:
    values = np.array([3.0, 1.0, 3.0, 2.0, 3.0, 1.0])

    assert average_ranks(values).tolist() == stats.rankdata(values).tolist()


def test_a_constant_sample_has_no_correlation() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = stats.spearmanr(np.arange(10.0), np.ones(10)).statistic

    assert np.isnan(expected)
    assert np.isnan(spearman(np.arange(10.0), np.ones(10)))


def test_a_nan_propagates_as_in_scipy() -> None:
    y = np.array([1.0, 2.0, np.nan, 4.0, 5.0])

    assert np.isnan(stats.spearmanr(np.arange(5.0), y).statistic)
    assert np.isnan(spearman(np.arange(5.0), y))
    assert np.isnan(theil_sen(y, np.arange(5.0))[0])


def test_a_slope_needs_two_distinct_x_values() -> None:
    with pytest.raises(ValueError, match="every x is the same"):
        theil_sen([1.0, 2.0, 3.0], [4.0, 4.0, 4.0])


def test_samples_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        spearman([1.0, 2.0], [1.0, 2.0, 3.0])
