"""Onset error: seconds from a window's start to the first detection in it."""

from __future__ import annotations

import numpy as np
import pytest
from nightowl_lab.eval.nab.onsets import window_onsets


def test_first_detection_in_each_window_after_probation() -> None:
    stamps = 60.0 * np.arange(1000)
    scores = np.zeros(1000)
    scores[[410, 420, 800]] = 0.9
    scores[100] = 0.9  # inside probation (the first 150 rows): not scored
    windows = ((90, 120), (400, 449), (600, 650), (790, 839))
    scorable, found = window_onsets(stamps, scores, windows, threshold=0.5)
    assert scorable == 3  # the first window lies inside the probation
    assert found == [
        pytest.approx((600.0, 600.0 / (49 * 60.0))),
        pytest.approx((600.0, 600.0 / (49 * 60.0))),
    ]
    assert window_onsets(stamps, scores, windows, threshold=0.95)[1] == []
