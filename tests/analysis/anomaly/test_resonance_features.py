"""Levels of a learned range (clip, snap, grow) and the Haar shape of a window."""

from __future__ import annotations

import numpy as np
import pytest

from nightowl.analysis.anomaly.resonance_features import HAAR_8, Levels, haar_shape


def test_values_snap_to_the_running_median_and_clip_at_the_edges() -> None:
    levels = Levels(0.0, 100.0, 80, 0.075)
    for _ in range(20):
        assert levels.place(50.0) == pytest.approx(0.5)
    assert levels.place(53.0) == pytest.approx(0.5)  # within 6 levels of the median
    assert levels.place(80.0) == pytest.approx(0.8)
    assert levels.place(500.0) == 1.0
    assert levels.place(-500.0) == 0.0


def test_a_growing_range_widens_past_a_new_extreme_and_rebins_the_median() -> None:
    levels = Levels(0.0, 100.0, 80, 0.075, grow=0.25)
    for _ in range(20):
        levels.place(50.0)
    assert levels.place(300.0) == 0.8  # 300 + 0.25 * 300 = 375 is the new top: 300 / 375
    assert levels.place(50.0) == pytest.approx(round(50 / 375 * 80) / 80)


def test_the_haar_matrix_is_orthonormal_and_the_shape_ignores_height_and_size() -> None:
    assert pytest.approx(np.eye(8)) == HAAR_8 @ HAAR_8.T
    window = np.array([0.1, 0.1, 0.2, 0.9, 0.2, 0.1, 0.1, 0.1])
    assert haar_shape(window) == pytest.approx(haar_shape(3.0 * window + 7.0))
    shape = haar_shape(window)
    assert shape.min() == 0.0
    assert shape.max() == 1.0
    assert not haar_shape(np.full(8, 0.4)).any()


def test_a_soft_range_is_linear_inside_and_saturates_beyond() -> None:
    levels = Levels(0.0, 1.0, 80, 0.0)
    levels.soften(0.0, 100.0, 1.0)  # history 0..100: mapped onto [1/3, 2/3]
    assert levels.level(0.0) == round(80 / 3)
    assert levels.level(100.0) == round(160 / 3)
    assert levels.level(150.0) < levels.level(1_000.0) <= 80
    assert levels.level(-1e9) == 0
