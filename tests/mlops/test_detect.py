"""``compare`` on seeded windows: clean windows do not drift, each injected change is found in
its own feature only, with its likely cause."""

from __future__ import annotations

import numpy as np
import pytest

from nightowl.errors import InputError
from nightowl.mlops.detect import compare
from nightowl.mlops.models import Cause, DriftRules, Role
from nightowl.mlops.multiple import Correction
from tests.mlops.windows import as_table, window


def moved(report: object) -> dict[str, Cause | None]:
    return {f.name: f.cause for f in report.drifted}  # type: ignore[attr-defined]


def test_two_clean_windows_do_not_drift() -> None:
    report = compare(as_table(window(1)), as_table(window(2)))
    assert moved(report) == {}
    assert not report.alarm
    assert {f.test for f in report.features} == {"ks", "chi2"}


def test_unit_change_is_named_as_such() -> None:
    cur = window(2)
    cur["height_cm"] = [round(v / 2.54, 2) for v in cur["height_cm"]]  # type: ignore[operator]
    report = compare(as_table(window(1)), as_table(cur))
    assert moved(report) == {"height_cm": Cause.UNIT_CHANGE}
    assert "inch" in report.drifted[0].cause_detail


def test_power_of_ten_unit_change() -> None:
    cur = window(2)
    cur["income"] = [v * 1000 for v in cur["income"]]  # type: ignore[operator]
    assert moved(compare(as_table(window(1)), as_table(cur))) == {"income": Cause.UNIT_CHANGE}


def test_population_shift_is_not_a_unit_change() -> None:
    cur = window(2)
    cur["age"] = [v + 8 for v in cur["age"]]  # type: ignore[operator]
    assert moved(compare(as_table(window(1)), as_table(cur))) == {"age": Cause.POPULATION_SHIFT}


def test_new_category() -> None:
    cur = window(2)
    cur["plan"] = ["enterprise" if i % 4 == 0 else v for i, v in enumerate(cur["plan"])]
    report = compare(as_table(window(1)), as_table(cur))
    assert moved(report) == {"plan": Cause.NEW_CATEGORY}
    assert "'enterprise'" in report.drifted[0].cause_detail
    assert "enterprise" in report.drifted[0].distribution.labels


def test_nulls_jump() -> None:
    cur = window(2)
    cur["age"] = [None if i % 5 == 0 else v for i, v in enumerate(cur["age"])]
    report = compare(as_table(window(1)), as_table(cur))
    assert moved(report) == {"age": Cause.NULLS_JUMP}
    assert report.drifted[0].null_rate_current == pytest.approx(0.2)


def test_correction_keeps_two_hundred_clean_features_quiet() -> None:
    rng = np.random.default_rng(3)
    ref = {f"f{i}": [str(v) for v in rng.normal(size=500)] for i in range(200)}
    cur = {f"f{i}": [str(v) for v in rng.normal(size=500)] for i in range(200)}
    loose = DriftRules(correction=Correction.NONE, min_psi=0)
    assert compare(ref, cur, loose).drifted  # uncorrected, some of 200 are "significant"
    assert not compare(ref, cur, DriftRules(min_psi=0)).drifted


def test_prediction_is_tested_apart_from_the_features() -> None:
    cur = window(2)
    cur["score"] = [min(1.0, v + 0.3) for v in cur["score"]]  # type: ignore[operator]
    report = compare(as_table(window(1)), as_table(cur), prediction="score")
    assert report.prediction is not None
    assert report.prediction.role is Role.PREDICTION
    assert report.prediction.drifted
    assert report.alarm
    assert "score" not in {f.name for f in report.features}


def test_windows_without_a_shared_column_are_refused() -> None:
    with pytest.raises(InputError, match="same header"):
        compare({"a": ["1"]}, {"b": ["1"]})


def test_numeric_codes_named_categorical_are_tested_as_categories() -> None:
    ref = {"sex": ["1", "2"] * 300}
    cur = {"sex": ["1", "2", "0"] * 200}
    as_numbers = compare(ref, cur).features[0]
    assert as_numbers.test == "ks"
    coded = compare(ref, cur, categorical=frozenset({"sex"})).drifted[0]
    assert (coded.test, coded.cause) == ("chi2", Cause.NEW_CATEGORY)
