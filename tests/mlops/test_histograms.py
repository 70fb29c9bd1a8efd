"""Drift on Prometheus histograms: chi-square on the bucket counts, PSI on their shares, the same
multiple-testing control and size floor as the rows' check."""

from __future__ import annotations

import numpy as np
import pytest

from nightowl.errors import InputError
from nightowl.mlops.histograms import Buckets, compare_histograms
from nightowl.mlops.models import Cause, Role

BOUNDS = (140.0, 150.0, 160.0, 170.0, 180.0, 190.0, 200.0, float("inf"))


def histogram(values: np.ndarray, bounds: tuple[float, ...] = BOUNDS) -> Buckets:
    """What a Prometheus histogram of ``values`` exports: cumulative counts per ``le``."""
    cumulative = tuple(float(np.sum(values <= b)) for b in bounds)
    return Buckets(bounds=bounds, cumulative=cumulative)


def heights(seed: int, mean: float = 170.0, rows: int = 3000) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, 10, rows)


def test_the_same_population_does_not_drift() -> None:
    report = compare_histograms({"h": histogram(heights(1))}, {"h": histogram(heights(2))})
    (f,) = report.features
    assert (f.test, f.distance_name, f.drifted) == ("chi2", "psi", False)
    assert report.current_rows == 3000


def test_a_shifted_population_drifts_with_both_distributions() -> None:
    report = compare_histograms(
        {"h": histogram(heights(1)), "score": histogram(heights(3))},
        {"h": histogram(heights(2, mean=178)), "score": histogram(heights(4))},
        prediction="score",
    )
    (f,) = report.drifted
    assert f.name == "h"
    assert f.cause is Cause.POPULATION_SHIFT
    assert f.adjusted_p < 0.05
    assert f.distance >= 0.1
    assert f.distribution.labels[0] == "≤140"
    assert f.distribution.labels[-1] == ">200"
    assert sum(f.distribution.current) == pytest.approx(1.0)
    assert report.prediction is not None
    assert report.prediction.role is Role.PREDICTION
    assert not report.prediction.drifted


def test_two_hundred_clean_histograms_do_not_page() -> None:
    ref = {f"f{i}": histogram(heights(i)) for i in range(200)}
    cur = {f"f{i}": histogram(heights(1000 + i)) for i in range(200)}
    assert compare_histograms(ref, cur).drifted == []


def test_mismatched_buckets_and_a_counter_reset() -> None:
    other = histogram(heights(2), BOUNDS[1:])
    with pytest.raises(InputError, match="other buckets"):
        compare_histograms({"h": histogram(heights(1))}, {"h": other})
    with pytest.raises(InputError, match="share no histogram"):
        compare_histograms({"a": histogram(heights(1))}, {"b": histogram(heights(1))})
    reset = Buckets(bounds=(1.0, float("inf")), cumulative=(5.0, 3.0))
    assert list(reset.counts()) == [5.0, 0.0]
    with pytest.raises(ValueError, match="ascend"):
        Buckets(bounds=(2.0, 1.0), cumulative=(1.0, 2.0))
