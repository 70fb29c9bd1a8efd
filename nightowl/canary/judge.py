"""Verdicts: one metric's samples → pass/fail/inconclusive; an interval's metrics → its verdict;
the measurements so far → the analysis's phase (Argo Rollouts' rules).

A metric fails only when the new version is worse by more than its ``max_effect`` (relative change
of the medians, in the metric's bad direction) *and* the Mann–Whitney U test finds the shift
significant at ``alpha`` *and* the new level is above the metric's ``floor``. Too few points on
either side is inconclusive, never a pass: a silent metric proves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nightowl.canary.mannwhitney import Alternative, mann_whitney_u
from nightowl.domain.canary import MetricResult, Verdict
from nightowl.domain.units import value
from nightowl.settings import CanaryMetric, CanarySettings


def judge_metric(
    metric: CanaryMetric, baseline: Sequence[float], canary: Sequence[float], min_samples: int
) -> MetricResult:
    """The verdict on one metric from its baseline and canary samples (NaNs dropped)."""
    base = [v for v in baseline if v == v]
    new = [v for v in canary if v == v]
    common = {"metric": metric.name, "signal": metric.signal}
    counts = {"n_baseline": len(base), "n_canary": len(new)}
    if len(base) < min_samples or len(new) < min_samples:
        reason = (
            f"too few points to compare ({len(base)} before, {len(new)} after; need {min_samples})"
        )
        return MetricResult(**common, **counts, verdict=Verdict.INCONCLUSIVE, reason=reason)
    b_med, c_med = float(np.median(base)), float(np.median(new))
    sign = 1.0 if metric.direction == "increase" else -1.0
    effect = (
        (c_med - b_med) / abs(b_med) if b_med != 0 else (0.0 if c_med == b_med else sign * np.inf)
    )
    worse = sign * effect
    alternative = Alternative.GREATER if metric.direction == "increase" else Alternative.LESS
    p = mann_whitney_u(new, base, alternative).p_value
    fails = worse > metric.max_effect and p < metric.alpha and c_med >= metric.floor
    shown = f"{value(b_med, metric.signal)} → {value(c_med, metric.signal)}"
    if fails:
        reason = f"{shown} ({_percent(effect)}, p={p:.2g} < {metric.alpha:g}): worse than allowed ({metric.max_effect:.0%})"
    elif worse > metric.max_effect and c_med < metric.floor:
        reason = (
            f"{shown} ({_percent(effect)}) but below the floor {value(metric.floor, metric.signal)}"
        )
    elif worse > metric.max_effect:
        reason = f"{shown} ({_percent(effect)}) but not significant (p={p:.2g} ≥ {metric.alpha:g})"
    else:
        reason = f"{shown} ({_percent(effect)}): within {metric.max_effect:.0%}"
    return MetricResult(
        **common, **counts, verdict=Verdict.FAIL if fails else Verdict.PASS, reason=reason,
        baseline_median=b_med, canary_median=c_med, effect=float(effect) if np.isfinite(effect) else None,
        p_value=p,
    )  # fmt: skip


def _percent(effect: float) -> str:
    return "new where there was none" if not np.isfinite(effect) else f"{effect:+.0%}"


def interval_verdict(results: Sequence[MetricResult]) -> Verdict:
    """An interval fails when any metric fails; else it is inconclusive when any metric is."""
    verdicts = {r.verdict for r in results}
    if Verdict.FAIL in verdicts:
        return Verdict.FAIL
    return Verdict.INCONCLUSIVE if Verdict.INCONCLUSIVE in verdicts else Verdict.PASS


def phase(verdicts: Sequence[Verdict], settings: CanarySettings) -> Verdict | None:
    """The analysis's phase after these measurements, or None while it must go on.

    As Argo Rollouts: failed once more than ``failure_limit`` measurements failed, inconclusive
    once more than ``inconclusive_limit`` were, passed after ``count`` measurements otherwise.
    """
    if sum(v is Verdict.FAIL for v in verdicts) > settings.failure_limit:
        return Verdict.FAIL
    if sum(v is Verdict.INCONCLUSIVE for v in verdicts) > settings.inconclusive_limit:
        return Verdict.INCONCLUSIVE
    return Verdict.PASS if len(verdicts) >= settings.count else None
