"""CAD-OSE: quantised facts, learned contexts, rest period, bounded memory, indexed crossing."""

from __future__ import annotations

import numpy as np
import pytest

from nightowl.analysis.anomaly.cad import NEURON_BASE, SENSOR_BASE, CadOse, cad_scores
from nightowl.analysis.anomaly.fusion import CAD_ALERT, fuse
from nightowl.analysis.anomaly.residual import score_of


def _wave(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + 3 * np.sin(2 * np.pi * t / 50) + rng.normal(0, 0.3, n)


def test_a_value_is_one_fact_per_binary_digit_of_its_level() -> None:
    cad = CadOse(0.0, 7.0)  # eight levels of width 1
    assert cad.facts(0.0) == (SENSOR_BASE, SENSOR_BASE + 2, SENSOR_BASE + 4)
    assert cad.facts(5.5) == (SENSOR_BASE + 1, SENSOR_BASE + 2, SENSOR_BASE + 5)  # level 0b101
    assert cad.facts(7.0) == (SENSOR_BASE + 1, SENSOR_BASE + 3, SENSOR_BASE + 5)
    # Beyond the range: more digits (new facts) above, a fact of its own below.
    assert len(cad.facts(20.0)) == 5
    assert cad.facts(-3.0)[0] < SENSOR_BASE


def test_a_repeating_sequence_becomes_fully_predicted() -> None:
    cad = CadOse(0.0, 7.0, rest=5)
    cycle = [0.0, 3.0, 6.0, 2.0, 7.0, 1.0]
    scores = [cad.update(v, i) for i, v in enumerate(cycle * 40)]
    assert max(scores[-60:]) == 0.0
    assert cad.contexts > 0


def test_a_level_shift_and_a_spike_are_caught_late_points_are_quiet() -> None:
    shift = _wave(1500, 1)
    shift[1000:] += 2.5
    scores = cad_scores(shift, 5.0, 16.0, rest=50)
    assert scores[1000:1010].max() >= 0.75
    assert scores[600:990].max() < 0.75
    spike = _wave(1500, 1)
    spike[1000] = 15.5
    scores = cad_scores(spike, 5.0, 16.0, rest=50)
    assert int(np.argmax(scores[990:1010])) + 990 == 1000
    assert scores[1000] >= 0.75


def test_pure_noise_alerts_rarely_but_not_never() -> None:
    """A CAD-OSE property, not a wish: white noise keeps producing unseen contexts.

    About one alert per 200 points (rest 50) on Gaussian noise over eight levels; the NAB
    threshold sweep lands above 0.75 for that reason. The residual detector is the quiet one.
    """
    noise = np.random.default_rng(2).normal(0, 1, 1500)
    scores = cad_scores(noise, -4.0, 4.0, rest=50)
    assert np.count_nonzero(scores[500:] >= 0.75) <= 10
    assert np.count_nonzero(scores[500:] >= 0.95) == 0


def test_the_rest_period_silences_the_points_after_an_alert() -> None:
    spike = _wave(1500, 3)
    spike[1000] = 16.0
    scores = cad_scores(spike, 5.0, 16.0, rest=40)
    assert scores[1000] >= 0.75
    assert not scores[1001:1041].any()
    # NAB's detector starts with an alert in its history: its first ``rest`` points score 0.
    assert not scores[:40].any()


def test_scores_are_deterministic_and_in_the_unit_interval() -> None:
    values = np.random.default_rng(4).standard_t(3, 600)
    first = cad_scores(values, -5.0, 5.0, rest=20)
    assert np.array_equal(first, cad_scores(values, -5.0, 5.0, rest=20))
    assert first.min() >= 0.0
    assert first.max() <= 1.0


def test_memory_is_bounded_and_nan_is_skipped() -> None:
    values = np.random.default_rng(5).uniform(0, 100, 1500)
    cad = CadOse(0.0, 100.0, max_contexts=500)
    for i, v in enumerate(values.tolist()):
        cad.update(v, i)
    assert cad.contexts == 500
    with_gap = _wave(300, 6)
    with_gap[100] = np.nan
    scores = cad_scores(with_gap, 5.0, 16.0)
    assert scores[100] == 0.0


def test_indexed_crossing_finds_exactly_the_semi_contexts_a_full_scan_finds() -> None:
    """The index on the lowest neuron fact is an optimisation: it must not change the result."""
    values = _wave(700, 7)
    values[500:560] += np.linspace(0, 4, 60)
    cad = CadOse(5.0, 18.0, rest=30)
    memory = cad._memory
    for i, v in enumerate(values.tolist()):
        cad.update(v, i)
        facts = set(cad._left_facts)
        scan = [s.index for s in memory._left if set(s.facts) <= facts]
        assert [s.index for s in memory._whole] == scan
    assert any(f >= NEURON_BASE for f in cad._left_facts)


def test_fusion_puts_both_alert_levels_on_one_threshold() -> None:
    residual = np.array([0.0, score_of(7.0), 0.49, 0.0])
    cad = np.array([0.0, 0.0, 0.0, 0.8])
    fused = fuse(residual, cad)
    assert fused[1] == pytest.approx(CAD_ALERT)
    assert fused[2] > CAD_ALERT
    assert fused[3] == 0.8
    assert fused.max() < 1.0
    with pytest.raises(ValueError, match="differ in shape"):
        fuse(residual, cad[:2])


def test_a_growing_range_needs_no_look_ahead_and_still_catches_a_spike() -> None:
    spike = _wave(1200, 8)
    spike[1000] = 25.0  # far beyond everything seen: the range grows to it
    scores = cad_scores(spike, rest=50)
    assert scores[1000] >= 0.75
    assert np.count_nonzero(scores[600:990] >= 0.75) <= 1
    prefix = cad_scores(spike[:1000], rest=50)
    assert np.array_equal(prefix, scores[:1000])  # nothing before a point depends on it
