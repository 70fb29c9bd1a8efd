"""The default detector: the batch helper equals the stream, and every point is described."""

from __future__ import annotations

import numpy as np
import pytest

from nightowl.analysis.anomaly.changepoint import Direction
from nightowl.analysis.anomaly.detector import DetectorSettings, StreamingDetector, score_series

T0 = 1_700_000_000.0


def _shifted() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    values = 100 + rng.normal(0, 1, 1500)
    values[1100:] -= 20
    return T0 + 60.0 * np.arange(1500), values


def test_score_series_is_the_stream_of_update_scores() -> None:
    stamps, values = _shifted()
    settings = DetectorSettings(horizon=400)
    detector = StreamingDetector(settings)
    streamed = [
        detector.update(float(t), float(v)).score for t, v in zip(stamps, values, strict=True)
    ]
    assert np.array_equal(score_series(stamps, values, settings), np.array(streamed))


def test_the_excursion_is_described_with_onset_and_direction() -> None:
    stamps, values = _shifted()
    detector = StreamingDetector(DetectorSettings(horizon=400))
    points = [detector.update(float(t), float(v)) for t, v in zip(stamps, values, strict=True)]
    assert detector.calibrated
    flagged = [p for p in points if p.score > 0 and p.ts >= stamps[1100]]
    assert flagged
    first = flagged[0]
    assert first.direction is Direction.DOWN
    assert abs(first.onset - stamps[1100]) <= 5 * 60
    assert first.change == pytest.approx(-0.2, abs=0.05)
    assert first.expected == pytest.approx(first.value, abs=25)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        score_series([1.0, 2.0], [1.0])
