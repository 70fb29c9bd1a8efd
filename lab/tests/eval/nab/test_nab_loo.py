"""Leave-one-category-out: thresholds and configurations chosen without the scored category."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nightowl_lab.eval.nab.corpus import NabCorpus, load_corpus
from nightowl_lab.eval.nab.loo import category_of, leave_one_category_out
from nightowl_lab.eval.nab.runner import run_benchmark


def _hit_window(corpus: NabCorpus, level: float) -> dict[str, np.ndarray]:
    """Fire ``level`` on the first scorable row of every window, nothing elsewhere."""
    out: dict[str, np.ndarray] = {}
    for series in corpus:
        scores = np.zeros(len(series))
        for first, _last in series.windows:
            scores[max(first, int(np.ceil(0.15 * len(series))))] = level
        out[series.name] = scores
    return out


def test_category_is_the_folder() -> None:
    assert category_of("realTweets/Twitter_volume_AAPL.csv") == "realTweets"
    assert category_of("loose.csv") == ""


def test_a_threshold_learned_elsewhere_is_applied_to_the_held_out_category(
    nab_dir: Path,
) -> None:
    corpus = load_corpus(nab_dir)
    # The same perfect detections, but 'other' fires at 0.9 and 'synthetic' only at 0.3: each
    # fold learns the other's level, and only the fold whose level is lower than its own
    # learned threshold misses.
    scores = _hit_window(corpus, 0.9)
    scores["synthetic/shift.csv"] = _hit_window(corpus, 0.3)["synthetic/shift.csv"]
    result = leave_one_category_out(corpus, {"x": scores})
    assert result.fold("other").thresholds["standard"] == pytest.approx(0.3)
    assert result.fold("synthetic").thresholds["standard"] == pytest.approx(0.9)
    assert result.fold("other").raw["standard"] == pytest.approx(1.0)
    assert result.fold("synthetic").raw["standard"] == pytest.approx(-1.0)
    assert result.scores["standard"] == pytest.approx(50.0)


def test_the_candidate_is_chosen_on_the_other_categories(nab_dir: Path) -> None:
    corpus = load_corpus(nab_dir)
    good = _hit_window(corpus, 0.9)
    silent = {name: np.zeros_like(s) for name, s in good.items()}
    result = leave_one_category_out(corpus, {"good": good, "silent": silent})
    assert {f.candidate for f in result.folds} == {"good"}
    assert result.scores["standard"] == pytest.approx(100.0)
    with pytest.raises(ValueError, match="no candidate"):
        leave_one_category_out(corpus, {})


def test_the_benchmark_reports_loo_per_category_and_onsets(nab_dir: Path) -> None:
    result = run_benchmark(load_corpus(nab_dir), "perfect", family=True)
    assert result.loo.scores["standard"] == pytest.approx(100.0)
    assert [c.category for c in result.categories] == ["other", "synthetic"]
    assert all(c.loo_score == pytest.approx(100.0) for c in result.categories)
    assert result.onsets["loo"].detected == 2
