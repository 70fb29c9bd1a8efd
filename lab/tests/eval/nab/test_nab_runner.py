"""Loading a corpus and running detectors over it: null is 0, perfect is 100, ours detects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nightowl_lab.eval.nab.corpus import NabSeries, load_corpus
from nightowl_lab.eval.nab.detectors import detector_for
from nightowl_lab.eval.nab.runner import run_benchmark

from nightowl.errors import InputError

BENCH = Path(__file__).resolve().parents[4] / ".." / "shared" / "bench" / "nab"
PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


def test_corpus_loads_only_the_series_present(nab_dir: Path) -> None:
    corpus = load_corpus(nab_dir)
    assert [s.name for s in corpus] == [
        "other/spike.csv",
        "synthetic/quiet.csv",
        "synthetic/shift.csv",
    ]
    shift = next(s for s in corpus if s.name == "synthetic/shift.csv")
    assert shift.windows == ((760, 839),)
    assert corpus.windows == 2
    assert corpus.profiles["reward_low_FN_rate"].fnWeight == 2.0


@pytest.mark.parametrize(("detector", "expected"), [("null", 0.0), ("perfect", 100.0)])
def test_reference_detectors_on_a_synthetic_corpus(
    nab_dir: Path, detector: str, expected: float
) -> None:
    result = run_benchmark(load_corpus(nab_dir), detector)
    for profile in PROFILES:
        assert result.score(profile) == pytest.approx(expected)


def test_our_detector_finds_both_synthetic_anomalies_without_false_alarms(nab_dir: Path) -> None:
    result = run_benchmark(load_corpus(nab_dir), "nightowl")
    assert result.score("standard") > 80.0
    quiet = next(s for s in result.series if s.name == "synthetic/quiet.csv")
    assert quiet.raw["standard"] == pytest.approx(0.0)
    assert result.points == 2800


@pytest.mark.parametrize("detector", ["cad_ose", "fusion"])
def test_cad_and_fused_detectors_find_both_anomalies_quietly(nab_dir: Path, detector: str) -> None:
    result = run_benchmark(load_corpus(nab_dir), detector)
    assert result.score("standard") > 80.0
    for series in result.series:
        assert series.detections == (0 if series.name == "synthetic/quiet.csv" else 1)


def test_streaming_cad_sees_no_future_range(nab_dir: Path) -> None:
    """A value changed after the probation must not change any earlier score."""
    corpus = load_corpus(nab_dir)
    spike = next(s for s in corpus if s.name == "other/spike.csv")
    later = spike.values.copy()
    later[-1] = 1e6
    altered = NabSeries(spike.name, spike.timestamps, later, spike.windows)
    detector = detector_for("fusion_streaming")
    assert np.array_equal(detector(spike)[:-1], detector(altered)[:-1])
    # The NAB-protocol CAD-OSE does see it: that is the look-ahead the docs warn about.
    assert not np.array_equal(detector_for("cad_ose")(spike), detector_for("cad_ose")(altered))


def test_progress_is_reported_once_per_series(nab_dir: Path) -> None:
    seen: list[str] = []
    run_benchmark(load_corpus(nab_dir), "null", lambda s: seen.append(s.name))
    assert len(seen) == 3


def test_bad_inputs_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        load_corpus(tmp_path)
    (tmp_path / "data").mkdir()
    with pytest.raises(InputError, match=r"combined_windows\.json is missing"):
        load_corpus(tmp_path)
    with pytest.raises(InputError, match="unknown detector"):
        detector_for("oracle")


@pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench/nab is not present")
@pytest.mark.parametrize(("detector", "expected"), [("null", 0.0), ("perfect", 100.0)])
def test_reference_detectors_on_the_shared_corpus(detector: str, expected: float) -> None:
    corpus = load_corpus(BENCH)
    assert len(corpus.series) == 34
    assert corpus.windows == 72
    result = run_benchmark(corpus, detector)
    for profile in PROFILES:
        assert result.score(profile) == pytest.approx(expected)
