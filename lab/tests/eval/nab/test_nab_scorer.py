"""The NAB scorer against its definition: sigmoid values, windows, sweep, normalisation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from nightowl_lab.eval.nab.scorer import (
    MAX_TP,
    CostMatrix,
    file_score,
    normalise,
    probation_length,
    scaled_sigmoid,
    sweep_rows,
    threshold_curve,
)

STANDARD = CostMatrix(tpWeight=1.0, fpWeight=0.11, fnWeight=1.0)
LOW_FN = CostMatrix(tpWeight=1.0, fpWeight=0.11, fnWeight=2.0)
BENCH = Path(__file__).resolve().parents[4] / ".." / "shared" / "bench" / "nab"


def test_scaled_sigmoid_matches_the_published_values() -> None:
    assert float(scaled_sigmoid(-1.0)) == pytest.approx(0.98661, abs=1e-5)
    assert float(scaled_sigmoid(-0.5)) == pytest.approx(0.84828, abs=1e-5)
    assert float(scaled_sigmoid(0.0)) == pytest.approx(0.0)
    assert float(scaled_sigmoid(1.0)) == pytest.approx(-0.98661, abs=1e-5)
    assert float(scaled_sigmoid(3.0)) == -1.0
    assert float(scaled_sigmoid(10.0)) == -1.0


def test_probation_is_fifteen_percent_capped_at_750_rows() -> None:
    assert probation_length(1000) == 150
    assert probation_length(4032) == 604
    assert probation_length(20000) == 750


def _one_window_file(detect_at: list[int], rows: int = 1000) -> np.ndarray:
    scores = np.zeros(rows)
    scores[detect_at] = 1.0
    return scores


def test_a_detection_at_the_window_start_earns_the_full_tp_weight() -> None:
    rows = sweep_rows(_one_window_file([400]), [(400, 499)], STANDARD)
    assert file_score(rows, STANDARD, 1.0) == pytest.approx(1.0)


def test_only_the_earliest_detection_in_a_window_counts() -> None:
    early = sweep_rows(_one_window_file([450]), [(400, 499)], STANDARD)
    early_and_late = sweep_rows(_one_window_file([450, 460, 490]), [(400, 499)], STANDARD)
    expected = float(scaled_sigmoid(-(499 - 450 + 1) / 100)) / MAX_TP
    assert file_score(early, STANDARD, 1.0) == pytest.approx(expected)
    assert file_score(early_and_late, STANDARD, 1.0) == pytest.approx(expected)


def test_a_missed_window_costs_the_fn_weight() -> None:
    rows = sweep_rows(np.zeros(1000), [(400, 499)], LOW_FN)
    assert file_score(rows, LOW_FN, 0.5) == pytest.approx(-2.0)


def test_false_positives_cost_more_the_further_they_are_from_the_window() -> None:
    before = sweep_rows(_one_window_file([300]), [(400, 499)], STANDARD)
    just_after = sweep_rows(_one_window_file([505]), [(400, 499)], STANDARD)
    long_after = sweep_rows(_one_window_file([900]), [(400, 499)], STANDARD)
    # Window missed (-1) plus the false positive's weighted sigmoid.
    assert file_score(before, STANDARD, 1.0) == pytest.approx(-1.0 - 0.11)
    position = (505 - 499) / (100 - 1)
    expected = -1.0 + 0.11 * float(scaled_sigmoid(position))
    assert file_score(just_after, STANDARD, 1.0) == pytest.approx(expected)
    assert file_score(long_after, STANDARD, 1.0) == pytest.approx(-1.0 - 0.11)
    assert file_score(just_after, STANDARD, 1.0) > file_score(long_after, STANDARD, 1.0)


def test_probationary_rows_are_never_scored() -> None:
    rows = sweep_rows(_one_window_file([10]), [(400, 499)], STANDARD)
    assert file_score(rows, STANDARD, 1.0) == pytest.approx(-1.0)


def _reference_curve(
    scores: np.ndarray, windows: list[tuple[int, int]], cost: CostMatrix
) -> dict[float, float]:
    """A literal, loop-by-loop reading of NAB's sweeper, to check the vectorised one against."""
    n = len(scores)
    probation = min(math.floor(0.15 * n), 0.15 * 5000)
    points: list[tuple[float, float, int | None]] = []
    prev_right: int | None = None
    prev_width = 0.0
    for i in range(n):
        window = next((k for k, (a, b) in enumerate(windows) if a <= i <= b), None)
        if window is not None:
            a, b = windows[window]
            position = -(b - i + 1) / (b - a + 1)
            sweep = float(scaled_sigmoid(position)) * cost.tpWeight / MAX_TP
        else:
            position = 3.0 if prev_right is None else abs(prev_right - i) / (prev_width - 1)
            sweep = float(scaled_sigmoid(position)) * cost.fpWeight
        if window is not None and i == windows[window][1]:
            prev_right, prev_width = i, float(windows[window][1] - windows[window][0] + 1)
        if i >= probation:
            points.append((float(scores[i]), sweep, window))
    curve: dict[float, float] = {}
    for threshold in sorted({p[0] for p in points} | {1.1}):
        fp = sum(s for v, s, w in points if w is None and v >= threshold)
        total = fp
        for k in {w for _, _, w in points if w is not None}:
            hits = [s for v, s, w in points if w == k and v >= threshold]
            total += max(hits) if hits else -cost.fnWeight
        curve[threshold] = total
    return curve


def test_vectorised_sweep_matches_a_literal_reading_of_nab() -> None:
    rng = np.random.default_rng(7)
    windows = [(60, 79), (140, 169)]
    for _ in range(5):
        scores = np.round(rng.random(220), 2)
        curve = threshold_curve([sweep_rows(scores, windows, STANDARD)], STANDARD)
        reference = _reference_curve(scores, windows, STANDARD)
        assert len(curve.thresholds) == len(reference)
        for threshold, value in zip(curve.thresholds, curve.scores, strict=True):
            assert value == pytest.approx(reference[float(threshold)])
        best_threshold, best_score = curve.best()
        assert best_score == pytest.approx(max(reference.values()))
        rows = sweep_rows(scores, windows, STANDARD)
        assert file_score(rows, STANDARD, best_threshold) == pytest.approx(best_score)


def test_normalisation_maps_null_to_0_and_perfect_to_100() -> None:
    assert normalise(-10.0, -10.0, 10.0) == 0.0
    assert normalise(10.0, -10.0, 10.0) == 100.0
    with pytest.raises(ValueError, match="no labelled window"):
        normalise(1.0, 0.0, 0.0)


@pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench/nab is not present")
def test_normalisation_reproduces_the_published_final_scores() -> None:
    """Published raw scores (thresholds.json) map to the published final scores with NAB's 116
    windows: null = -116 * fn, perfect = 116 * tp."""
    thresholds = json.loads((BENCH / "config" / "thresholds.json").read_text())
    final = json.loads((BENCH / "results" / "final_results.json").read_text())
    profiles = json.loads((BENCH / "config" / "profiles.json").read_text())
    windows = 116
    for detector in ("ARTime", "numenta", "contextOSE"):
        for profile, body in profiles.items():
            cost = CostMatrix.model_validate(body["CostMatrix"])
            raw = thresholds[detector][profile]["score"]
            score = normalise(raw, -windows * cost.fnWeight, windows * cost.tpWeight)
            assert score == pytest.approx(final[detector][profile], abs=1e-6)
