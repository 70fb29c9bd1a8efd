"""The resonance detector: quiet while calibrating, novelties after, no look-ahead."""

from __future__ import annotations

import numpy as np

from nightowl.analysis.anomaly.resonance import ResonanceDetector, ResonanceSettings


def _daily(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n)
    return 50 + 10 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.5, n)


def _scores(values: np.ndarray, horizon: int = 600) -> np.ndarray:
    detector = ResonanceDetector(ResonanceSettings(horizon=horizon))
    return np.array([detector.update(float(x)) for x in values])


def test_nothing_is_scored_during_calibration() -> None:
    rng = np.random.default_rng(1)
    values = _daily(3000, rng)
    values[100] = 500.0  # a spike inside the calibration history: learned, not reported
    detector = ResonanceDetector(ResonanceSettings(horizon=600))
    scores = [detector.update(float(x)) for x in values[:600]]
    assert not any(scores)
    assert detector.calibrated


def test_a_level_shift_after_calibration_is_reported_near_its_start() -> None:
    rng = np.random.default_rng(2)
    values = _daily(3000, rng)
    values[2000:] += 30
    scores = _scores(values)
    hits = np.flatnonzero(scores > 0)
    assert any(2000 <= h <= 2060 for h in hits)
    assert scores[2000:2060].max() > 0.5


def test_a_flat_series_never_scores() -> None:
    assert not _scores(np.full(3000, 45.0)).any()


def test_nan_is_skipped() -> None:
    values = np.full(2000, 3.0)
    values[700] = np.nan
    assert not _scores(values).any()


def test_no_look_ahead_a_later_value_changes_no_earlier_score() -> None:
    rng = np.random.default_rng(3)
    values = _daily(3000, rng)
    later = values.copy()
    later[2500] = 1e6
    assert np.array_equal(_scores(values)[:2500], _scores(later)[:2500])


def test_the_time_scale_follows_the_horizon() -> None:
    short = ResonanceDetector(ResonanceSettings(horizon=104))
    long = ResonanceDetector(ResonanceSettings(horizon=750))
    assert (short.step, long.step) == (1, 7)
    assert long.calibration * long.step <= 750
