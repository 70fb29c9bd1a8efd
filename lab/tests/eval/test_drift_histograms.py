"""The benchmark's histogram detector: the windows counted into fixed buckets, compared as the
watcher compares Prometheus histograms."""

from __future__ import annotations

import numpy as np
from nightowl_lab.eval.drift_data import Injection, check_windows, load
from nightowl_lab.eval.drift_histograms import bounds_of, counted, histogram_detector


def test_buckets_are_fixed_from_the_table_and_count_windows() -> None:
    data = load()
    bounds = bounds_of(data)
    assert bounds["sex"] == (1.0, 2.0, float("inf"))
    assert len(bounds["bmi"]) == 10  # nine deciles and +Inf
    b = counted(["1", "2", "2", None, "0"], bounds["sex"])
    assert b.cumulative == (2.0, 4.0, 4.0)


def test_a_full_unit_change_is_flagged_and_a_clean_split_usually_not() -> None:
    data = load()
    detect = histogram_detector(data)
    ref, cur = check_windows(data, np.random.default_rng(0), Injection.UNIT, 1.0)
    cause, adjusted_p = detect(ref, cur)["bmi"]
    assert cause == "population_shift"  # histograms name no unit change
    assert adjusted_p < 0.05
    rng = np.random.default_rng(1)
    alarms = sum(bool(detect(*check_windows(data, rng, Injection.NONE, 0.0))) for _ in range(20))
    assert alarms <= 3  # an exact null: BH and the size floor keep most clean checks quiet
