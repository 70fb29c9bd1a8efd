"""The paging plan follows from α, the schedule and the budget, and its bound holds: simulated
checks of an unchanged model (independent uniform p-values, BH across the features) start false
k-streaks no more often than the plan says."""

from __future__ import annotations

import numpy as np
import pytest

from nightowl.mlops.multiple import benjamini_hochberg
from nightowl.mlops.paging import Paging, PagingPlan, consecutive_for, plan


def test_hourly_checks_at_the_default_budget_need_three_consecutive() -> None:
    hourly = plan(Paging(), alpha=0.05, window_minutes=60)
    assert hourly.consecutive == 3  # 168·0.05² = 0.42 > 0.125 ≥ 168·0.05³ = 0.021
    assert hourly.at_once_p == pytest.approx(0.125 / 168)
    assert hourly.bound_per_week <= Paging().false_pages_per_week
    daily = plan(Paging(), alpha=0.05, window_minutes=1440)
    assert daily.consecutive == 2  # 7·0.05 = 0.35 > 0.125 ≥ 7·0.05² = 0.0175
    with_prediction = plan(Paging(), alpha=0.05, window_minutes=60, families=2)
    assert with_prediction.at_once_p == pytest.approx(hourly.at_once_p / 2)
    assert with_prediction.bound_per_week <= Paging().false_pages_per_week


def test_given_k_and_no_at_once() -> None:
    mine = plan(Paging(consecutive=2, at_once=False), alpha=0.05, window_minutes=60)
    assert (mine.consecutive, mine.at_once_p) == (2, 0.0)
    assert mine.bound_per_week == pytest.approx(168 * 0.05**2)
    assert consecutive_for(1e-30, 0.05, 168, 1) == 24  # capped: check less often instead


def test_pages_on_the_kth_check_or_at_once() -> None:
    rule = PagingPlan(consecutive=3, at_once_p=1e-3, bound_per_week=0.1)
    assert [rule.pages(k, 0.01) for k in (1, 2, 3)] == [False, False, True]
    assert rule.pages(1, 1e-4)


def test_the_streak_bound_holds_on_simulated_null_checks() -> None:
    rng = np.random.default_rng(25)
    checks, features, alpha, k = 40_000, 10, 0.05, 2
    flagged = np.array(
        [
            np.array(benjamini_hochberg(list(rng.uniform(size=features)))) < alpha
            for _ in range(checks)
        ]
    )
    starts = flagged[1:] & flagged[:-1]  # the same feature in two consecutive checks
    fresh = starts & ~np.vstack([np.zeros((1, features), bool), starts[:-1]])
    assert fresh.any(axis=1).mean() <= alpha**k  # at most α^k per check
