"""The drift benchmark's runner on scikit-learn's diabetes table: windows are fresh splits with
the change applied to the current window only, and the scoring counts what the detectors did."""

from __future__ import annotations

import numpy as np
from nightowl_lab.eval.drift import Plan, nightowl_detector, run
from nightowl_lab.eval.drift_data import Injection, check_windows, load
from nightowl_lab.eval.drift_paging import Flags, Pager, variants

from nightowl.mlops.paging import PagingPlan


def test_windows_split_the_rows_and_inject_into_the_current_only() -> None:
    data = load()
    ref, cur = check_windows(data, np.random.default_rng(0), Injection.UNIT, 1.0)
    assert len(ref["bmi"]) + len(cur["bmi"]) == data.target.size
    ref_bmi = np.array([float(v) for v in ref["bmi"] if v is not None])
    cur_bmi = np.array([float(v) for v in cur["bmi"] if v is not None])
    assert 8 < np.median(cur_bmi) / np.median(ref_bmi) < 12
    _, cat = check_windows(data, np.random.default_rng(0), Injection.CATEGORY, 1.0)
    assert "0" in set(cat["sex"])
    assert "0" not in set(ref["sex"])
    _, clean = check_windows(data, np.random.default_rng(0), Injection.NONE, 0.0)
    assert set(clean["sex"]) == {"1", "2"}


def test_the_runner_scores_each_detector_on_the_same_checks() -> None:
    plan = Plan(clean_weeks=1, seeds=1, hours=12, ramp=6)
    calls: list[int] = []
    seen: list[int] = []

    def counting(ref: dict[str, list[str | None]], cur: dict[str, list[str | None]]) -> Flags:
        seen.append(1)
        return {}

    scores = {
        s.detector: s
        for s in run(
            load(),
            {"nightowl": nightowl_detector, "never": counting},
            plan,
            lambda: calls.append(1),
        )
    }
    assert len(calls) == plan.checks == len(seen)  # each detector once per check, for every rule
    assert set(scores) == {f"{d} · {r}" for d in ("nightowl", "never") for r in variants()}
    never = scores["never · every flag"]
    assert never.false_alarms == 0
    assert never.rate(Injection.UNIT) == 0.0
    ours = scores["nightowl · default"]
    assert ours.clean_checks == 168
    assert ours.runs[Injection.UNIT] == 1
    assert ours.detected[Injection.UNIT] == 1
    assert ours.causes_right[Injection.UNIT] == 1  # named a unit change once fully rolled out
    assert ours.false_alarms_per_week == ours.false_alarms


def test_a_pager_pages_a_feature_once_at_its_kth_consecutive_flag() -> None:
    pager = Pager(PagingPlan(consecutive=2, at_once_p=1e-3, bound_per_week=0.0))
    weak: Flags = {"bmi": (None, 0.01)}
    assert pager.step(weak) == (set(), set())
    assert pager.step(weak) == ({"bmi"}, {"bmi"})
    assert pager.step(weak) == ({"bmi"}, set())  # still paging: not a second page
    assert pager.step({}) == (set(), set())
    assert pager.step({"s5": (None, 1e-4)}) == ({"s5"}, {"s5"})  # strong enough at once
