"""The U test against scipy's asymptotic Mann–Whitney (scipy is in the test extra only) and a
textbook example worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nightowl.canary.mannwhitney import Alternative, mann_whitney_u

SAMPLES = [
    ([1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0]),
    ([0.25, 0.25, 0.26, 0.25, 0.3, 0.31], [0.25, 0.24, 0.25, 0.25, 0.26, 0.24, 0.25]),  # ties
    ([3.0, 3.0, 3.0], [3.0, 3.0, 4.0, 2.0]),
    (
        list(np.random.default_rng(7).lognormal(0, 1, 40)),
        list(np.random.default_rng(8).lognormal(0.4, 1, 25)),
    ),
]


@pytest.mark.parametrize(("x", "y"), SAMPLES)
@pytest.mark.parametrize("alternative", list(Alternative))
def test_matches_scipy_asymptotic_with_tie_and_continuity_correction(
    x: list[float], y: list[float], alternative: Alternative
) -> None:
    ours = mann_whitney_u(x, y, alternative)
    theirs = stats.mannwhitneyu(
        x, y, alternative=alternative.value, method="asymptotic", use_continuity=True
    )
    assert ours.u == pytest.approx(float(theirs.statistic))
    assert ours.p_value == pytest.approx(float(theirs.pvalue), rel=1e-9, abs=1e-12)


def test_a_hand_worked_example() -> None:
    # x = 1, 4, 6 and y = 2, 3, 5, 7: x's ranks are 1, 4, 6 → R = 11, U = 11 − 6 = 5;
    # mean 6, variance 3·4·8/12 = 8, z = (5 − 6 + 0.5)/√8 for "less".
    result = mann_whitney_u([1, 4, 6], [2, 3, 5, 7], Alternative.LESS)
    assert result.u == 5
    assert result.z == pytest.approx(-0.5 / 8**0.5)
    assert result.p_value == pytest.approx(0.4298, abs=1e-4)


def test_all_values_tied_cannot_be_told_apart() -> None:
    result = mann_whitney_u([2, 2, 2], [2, 2], Alternative.GREATER)
    assert result.p_value == 1.0
    assert result.z == 0.0


def test_refuses_an_empty_sample_or_nan() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        mann_whitney_u([], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        mann_whitney_u([float("nan")], [1.0])
