"""The per-signal shift: a clean step scores high, noise and flat signals do not."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from nightowl.analysis.rca import RankConfig, score_series
from nightowl.domain.signals import Series

FAULT = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def series(values: list[float] | np.ndarray, metric: str = "cpu", step: float = 60.0) -> Series:
    start = FAULT.timestamp() - 30 * step
    stamps = tuple(start + i * step for i in range(len(values)))
    return Series(metric=metric, timestamps=stamps, values=tuple(float(v) for v in values))


def test_a_clean_step_up_scores_high_and_has_an_onset() -> None:
    rng = np.random.default_rng(1)
    values = np.r_[10 + rng.normal(0, 0.5, 30), 60 + rng.normal(0, 0.5, 5)]
    found = score_series("a", series(values), FAULT, RankConfig())
    assert found is not None
    assert found.score > 3.0
    assert found.onset == FAULT
    assert found.observed > 50.0


def test_a_step_down_is_negative() -> None:
    values = [50.0] * 30 + [5.0] * 5
    found = score_series("a", series(values), FAULT, RankConfig())
    assert found is not None
    assert found.score < -3.0


def test_a_flat_signal_scores_zero() -> None:
    found = score_series("a", series([0.0] * 35), FAULT, RankConfig())
    assert found is not None
    assert found.score == 0.0
    assert found.onset is None


def test_a_signal_that_flips_between_levels_scores_below_a_clean_step() -> None:
    rng = np.random.default_rng(2)
    flips = np.where(rng.random(35) < 0.3, 20.0, 0.005)
    flips[30:] = [20.0, 0.005, 20.0, 20.0, 0.005]
    noisy = score_series("a", series(flips), FAULT, RankConfig())
    clean = score_series("b", series([1.0] * 30 + [20.0] * 5), FAULT, RankConfig())
    assert noisy is not None
    assert clean is not None
    assert noisy.score < clean.score / 2


def test_too_little_baseline_is_not_judged() -> None:
    assert score_series("a", series([1.0, 1.0, 9.0]), FAULT, RankConfig()) is None
