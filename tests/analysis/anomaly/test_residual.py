"""The residual detector: calibrated scores, seasonality, hold-off, onset, direction, size."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nightowl.analysis.anomaly.changepoint import Direction, OnsetTracker
from nightowl.analysis.anomaly.gaussian import gaussian_scores
from nightowl.analysis.anomaly.residual import (
    ResidualDetector,
    ResidualSettings,
    residual_scores,
    score_of,
)
from nightowl.analysis.anomaly.tail import TailModel

T0 = 1_700_000_000.0
FIVE_MINUTES = 300.0


def _stamps(n: int, step: float = FIVE_MINUTES) -> np.ndarray:
    return T0 + step * np.arange(n)


def test_tail_surprise_is_a_calibrated_tail_probability() -> None:
    rng = np.random.default_rng(1)
    tail = TailModel()
    surprises = np.array([tail.update(float(u)) for u in rng.exponential(size=20_000)])[1000:]
    for level in (3.0, 5.0, 7.0):
        assert np.mean(surprises > level) == pytest.approx(math.exp(-level), rel=0.35)


def test_a_flat_series_never_scores() -> None:
    scores = residual_scores(_stamps(2000), np.full(2000, 45.0))
    assert not scores.any()


def test_scores_lie_in_the_unit_interval_and_map_surprise_monotonically() -> None:
    assert score_of(0.0) == 0.0
    assert score_of(math.log(1e6)) == pytest.approx(0.5)
    rng = np.random.default_rng(2)
    scores = residual_scores(_stamps(3000), rng.standard_t(3, 3000))
    assert scores.min() >= 0.0
    assert scores.max() < 1.0


def test_a_daily_pattern_is_learned_not_flagged() -> None:
    rng = np.random.default_rng(4)
    n = 288 * 14  # two weeks of five-minute points
    t = _stamps(n)
    hour = (t % 86_400) / 3600
    square = np.where((hour >= 9) & (hour < 17), 80.0, 20.0)  # a sharp business-hours jump
    values = square + rng.normal(0, 2, n)
    settings = ResidualSettings(horizon=600)
    scores = residual_scores(t, values, settings)
    # After the first days, the twice-daily 30-sigma jumps are expected: nothing near alert level.
    assert scores[288 * 4 :].max() < 0.4
    # A missing business day (flat at night level) is news.
    broken = values.copy()
    day = 288 * 10
    broken[day : day + 288] = 20.0 + rng.normal(0, 2, 288)
    window = residual_scores(t, broken, settings)[day : day + 288]
    assert window.max() > 0.4


def test_level_shift_is_scored_and_held_off_afterwards() -> None:
    rng = np.random.default_rng(5)
    values = 100 + rng.normal(0, 2, 3000)
    values[2000:] += 25
    scores = residual_scores(_stamps(3000), values, ResidualSettings(horizon=750))
    assert scores[1990:2010].max() > 0.45
    assert int(np.argmax(scores[1990:2010])) + 1990 in range(2000, 2004)
    # One alert per incident: the shifted level does not keep paging.
    assert scores[2010:2300].max() < scores[1990:2010].max()


def test_point_scores_report_onset_direction_and_change() -> None:
    rng = np.random.default_rng(6)
    detector = ResidualDetector(ResidualSettings(horizon=300))
    values = 50 + rng.normal(0, 1, 800)
    values[600:] -= 20
    points = [
        detector.update(float(t), float(v)) for t, v in zip(_stamps(800), values, strict=True)
    ]
    alert = max(points[600:610], key=lambda p: p.score)
    assert alert.direction is Direction.DOWN
    assert abs((alert.onset - T0) / FIVE_MINUTES - 600) <= 3
    assert alert.change == pytest.approx(-0.4, abs=0.05)
    assert alert.expected == pytest.approx(50, abs=3)


def test_onset_tracker_estimates_where_a_slow_ramp_began() -> None:
    rng = np.random.default_rng(8)
    tracker = OnsetTracker(horizon=500)
    values = 10 + rng.normal(0, 0.5, 600)
    values[400:] += np.linspace(0, 15, 200)  # a leak: slow growth, noticed late
    for t, v in zip(_stamps(600), values, strict=True):
        tracker.update(float(t), float(v))
    excursion = tracker.excursion(float(_stamps(600)[-1]), float(values[-1]))
    assert excursion.direction is Direction.UP
    assert abs((excursion.onset - T0) / FIVE_MINUTES - 400) <= 25


def test_windowed_gaussian_baseline_flags_an_outlier() -> None:
    rng = np.random.default_rng(9)
    values = rng.normal(0, 1, 1500)
    values[1200] = 12.0
    scores = gaussian_scores(values)
    assert int(np.argmax(scores)) == 1200
    assert scores[1200] > 0.999


def test_nan_values_are_skipped() -> None:
    values = np.full(500, 3.0)
    values[100] = math.nan
    assert not residual_scores(_stamps(500), values).any()


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        residual_scores([1.0, 2.0], [1.0])
