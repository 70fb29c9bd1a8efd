"""Performance decay on labelled windows: AUC (against scikit-learn's definition by hand),
accuracy and MAE, and the z-test that tells decay from noise."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nightowl.mlops.models import DriftRules
from nightowl.mlops.performance import auc, performance


def test_auc_equals_mann_whitney() -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 400).astype(float)
    s = np.round(rng.normal(y, 1.0), 1)  # ties on purpose
    u = stats.mannwhitneyu(s[y == 1], s[y == 0]).statistic
    assert auc(s, y) == pytest.approx(u / ((y == 1).sum() * (y == 0).sum()))


def scored(seed: int, noise: float, rows: int = 3000) -> dict[str, list[str | None]]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    s = rng.normal(y, noise)
    return {"pred": [str(v) for v in s], "label": [str(v) for v in y]}


def test_auc_decay_is_found_and_noise_is_not() -> None:
    rules = DriftRules()
    decayed = performance(
        scored(1, 0.8), scored(2, 2.0), prediction="pred", label="label", rules=rules
    )
    assert decayed is not None
    assert decayed.metric == "auc"
    assert decayed.decayed
    same = performance(
        scored(1, 0.8), scored(3, 0.8), prediction="pred", label="label", rules=rules
    )
    assert same is not None
    assert not same.decayed


def test_accuracy_for_class_labels_and_mae_for_numbers() -> None:
    ref = {"pred": ["a", "b", "a", "b"] * 200, "label": ["a", "b", "a", "b"] * 200}
    cur = {"pred": ["a", "b", "b", "a"] * 200, "label": ["a", "b", "a", "b"] * 200}
    acc = performance(ref, cur, prediction="pred", label="label", rules=DriftRules())
    assert acc is not None
    assert (acc.metric, acc.reference, acc.current) == ("accuracy", 1.0, 0.5)
    assert acc.decayed
    num = {"pred": ["1.5", "2.0", "3.5"], "label": ["1", "2", "3"]}
    mae = performance(num, num, prediction="pred", label="label", rules=DriftRules())
    assert mae is not None
    assert mae.metric == "mae"
    assert mae.reference == pytest.approx(1 / 3)
    assert not mae.decayed
    assert not mae.higher_is_better


def test_rows_without_a_label_yet_are_left_out() -> None:
    ref = {"pred": ["1", "0"], "label": [None, None]}
    assert performance(ref, ref, prediction="pred", label="label", rules=DriftRules()) is None
