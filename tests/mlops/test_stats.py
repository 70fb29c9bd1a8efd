"""The hand-written tests and distances against scipy's (a test-only dependency) and textbook
values: the Kolmogorov distribution, the chi-square survival function, KS, chi-square
homogeneity, PSI and the Jensen–Shannon distance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

from nightowl.mlops.stats import (
    binned,
    chi2_homogeneity,
    chi2_sf,
    gamma_q,
    js_distance,
    kolmogorov_sf,
    ks_two_sample,
    psi,
    quantile_edges,
)


@pytest.mark.parametrize("lam", [0.2, 0.5, 0.8, 1.0, 1.1799, 1.18, 1.36, 1.63, 2.0, 3.0])
def test_kolmogorov_survival_matches_scipy(lam: float) -> None:
    assert kolmogorov_sf(lam) == pytest.approx(special.kolmogorov(lam), abs=1e-10)


def test_kolmogorov_critical_values() -> None:
    # The classic table: λ = 1.358 at the 5 % level, 1.628 at 1 %.
    assert kolmogorov_sf(1.3581) == pytest.approx(0.05, abs=1e-4)
    assert kolmogorov_sf(1.6276) == pytest.approx(0.01, abs=1e-4)


@pytest.mark.parametrize(("a", "x"), [(0.5, 0.1), (1, 1), (2.5, 3), (10, 5), (10, 20), (50, 49)])
def test_incomplete_gamma_matches_scipy(a: float, x: float) -> None:
    assert gamma_q(a, x) == pytest.approx(special.gammaincc(a, x), rel=1e-9, abs=1e-14)


@pytest.mark.parametrize(("x", "dof"), [(3.841, 1), (5.991, 2), (11.07, 5), (0.5, 3), (120, 80)])
def test_chi2_survival_matches_scipy(x: float, dof: int) -> None:
    assert chi2_sf(x, dof) == pytest.approx(stats.chi2.sf(x, dof), rel=1e-9)


def test_chi2_critical_value_at_five_percent() -> None:
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-9)


def test_ks_statistic_matches_scipy_and_p_is_asymptotic() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(0, 1, 3000), rng.normal(0.1, 1, 2500)
    d, p = ks_two_sample(a, b)
    ref = stats.ks_2samp(a, b, method="asymp")
    assert d == pytest.approx(ref.statistic, abs=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=0.05)


def test_ks_on_identical_samples_is_not_significant() -> None:
    x = np.arange(100.0)
    assert ks_two_sample(x, x) == (0.0, 1.0)


def test_chi2_homogeneity_matches_scipy() -> None:
    r, c = np.array([120.0, 80, 40, 10]), np.array([100.0, 90, 60, 30])
    stat, p, dof = chi2_homogeneity(r, c)
    ref = stats.chi2_contingency(np.vstack([r, c]), correction=False)
    assert (stat, dof) == (pytest.approx(ref.statistic), ref.dof)
    assert p == pytest.approx(ref.pvalue, rel=1e-9)


def test_chi2_drops_categories_neither_window_has() -> None:
    stat, p, dof = chi2_homogeneity(np.array([5.0, 0, 5]), np.array([5.0, 0, 5]))
    assert (stat, p, dof) == (0.0, 1.0, 1)


def test_js_distance_matches_scipy_base_two() -> None:
    p, q = np.array([0.1, 0.4, 0.5]), np.array([0.3, 0.3, 0.4])
    assert js_distance(p, q) == pytest.approx(jensenshannon(p, q, base=2), abs=1e-12)
    assert js_distance(np.array([1.0, 0]), np.array([0.0, 1])) == pytest.approx(1.0)


def test_psi_worked_example() -> None:
    r, c = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    expected = (0.25 - 0.5) * np.log(0.25 / 0.5) + (0.75 - 0.5) * np.log(0.75 / 0.5)
    assert psi(r, c) == pytest.approx(expected)
    assert psi(r, r) == 0.0


def test_quantile_bins_split_the_reference_evenly() -> None:
    x = np.arange(1000.0)
    counts = binned(x, quantile_edges(x, 10))
    assert counts.sum() == 1000
    assert counts.max() - counts.min() <= 1
