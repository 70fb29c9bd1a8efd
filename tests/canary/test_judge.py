"""Verdicts: a metric fails only when worse beyond its effect size, significantly and above its
floor; an interval fails with any metric; the analysis follows Argo Rollouts' limits."""

from __future__ import annotations

import re

import numpy as np

from nightowl.canary.judge import interval_verdict, judge_metric, phase
from nightowl.domain.canary import MetricResult, Verdict
from nightowl.settings import CanaryMetric, CanarySettings

LATENCY = CanaryMetric(name="latency", signal="latency_p99", max_effect=0.25)
rng = np.random.default_rng(3)
BEFORE = list(0.25 + rng.normal(0, 0.01, 60))


def test_a_clear_rise_fails_with_its_numbers_in_the_reason() -> None:
    after = list(0.5 + rng.normal(0, 0.01, 6))
    result = judge_metric(LATENCY, BEFORE, after, min_samples=4)
    assert result.verdict is Verdict.FAIL
    assert result.effect is not None
    assert result.effect > 0.9
    assert result.p_value is not None
    assert result.p_value < 1e-4
    assert re.match(
        r"2\d\d ms → 4\d\d ms \(\+9\d%, p=.*\): worse than allowed \(25%\)$", result.reason
    )


def test_the_same_distribution_passes() -> None:
    after = list(0.25 + rng.normal(0, 0.01, 6))
    assert judge_metric(LATENCY, BEFORE, after, 4).verdict is Verdict.PASS


def test_a_significant_rise_within_the_effect_size_passes() -> None:
    after = [0.28] * 10  # +12 %: significant with these samples, but within 25 %
    result = judge_metric(LATENCY, BEFORE, after, 4)
    assert result.verdict is Verdict.PASS
    assert result.p_value is not None
    assert result.p_value < 0.05
    assert "within 25%" in result.reason


def test_a_large_but_noisy_change_is_not_a_failure() -> None:
    before = [0.1, 0.2, 0.3, 0.8, 0.9, 1.0]
    after = [0.15, 0.9, 0.95, 1.1]
    result = judge_metric(LATENCY, before, after, 4)
    assert result.verdict is Verdict.PASS
    assert "not significant" in result.reason


def test_below_the_floor_a_rise_is_noise() -> None:
    errors = CanaryMetric(name="errors", signal="error_rate", max_effect=0.5, floor=0.005)
    result = judge_metric(errors, [0.0001] * 20, [0.0004] * 6, 4)
    assert result.verdict is Verdict.PASS
    assert "below the floor" in result.reason


def test_a_fall_is_the_worry_for_a_decrease_metric() -> None:
    rate = CanaryMetric(name="throughput", signal="request_rate", direction="decrease")
    assert (
        judge_metric(rate, [100.0 + i % 3 for i in range(20)], [40.0] * 6, 4).verdict
        is Verdict.FAIL
    )
    assert (
        judge_metric(rate, [100.0 + i % 3 for i in range(20)], [180.0] * 6, 4).verdict
        is Verdict.PASS
    )


def test_too_few_points_is_inconclusive_never_a_pass() -> None:
    result = judge_metric(LATENCY, BEFORE, [0.9, 0.9], 4)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert "too few points" in result.reason


def _result(verdict: Verdict) -> MetricResult:
    return MetricResult(metric="m", signal="cpu", verdict=verdict, reason="")


def test_an_interval_fails_with_any_metric_else_is_inconclusive_with_any() -> None:
    P, F, N = Verdict.PASS, Verdict.FAIL, Verdict.INCONCLUSIVE
    assert interval_verdict([_result(P), _result(F), _result(N)]) is F
    assert interval_verdict([_result(P), _result(N)]) is N
    assert interval_verdict([_result(P), _result(P)]) is P


def test_the_phase_follows_argo_rollouts_limits() -> None:
    P, F, N = Verdict.PASS, Verdict.FAIL, Verdict.INCONCLUSIVE
    settings = CanarySettings(count=4, failure_limit=1, inconclusive_limit=1)
    assert phase([F], settings) is None  # one failure is within the limit of 1
    assert phase([F, P, F], settings) is F  # the second exceeds it: stop early
    assert phase([N, N], settings) is N
    assert phase([P, N, P], settings) is None
    assert phase([P, N, P, P], settings) is P  # count reached
    assert phase([F], CanarySettings()) is F  # the default limit is 0, as Argo's
