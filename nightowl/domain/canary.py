"""Canary analysis results: a verdict per metric, per interval and for the whole analysis of one
deploy (the shape of an Argo Rollouts AnalysisRun: measurements, then a phase)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model
from nightowl.domain.signals import Deploy


class Verdict(StrEnum):
    """What a measurement, an interval or an analysis concluded."""

    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


class Comparison(StrEnum):
    """What the new version was compared with."""

    CANARY = "canary"
    """Canary pods (the new version's label) against baseline pods (the old one's), same window."""
    BEFORE_AFTER = "before_after"
    """The service after the deploy against the same service before it."""


class MetricResult(Model):
    """One metric in one interval: medians of both samples, the relative effect, the U test's
    p-value, and the verdict with the reason a human reads."""

    metric: str
    signal: str
    comparison: Comparison = Comparison.BEFORE_AFTER
    verdict: Verdict
    reason: str
    baseline_median: float | None = None
    canary_median: float | None = None
    effect: float | None = None
    """(canary − baseline) / |baseline|: +0.5 is 50 % worse for a metric whose rise is bad."""
    p_value: float | None = None
    n_baseline: int = 0
    n_canary: int = 0


class Measurement(Model):
    """One interval of an analysis: every metric's result and the interval's verdict."""

    index: int
    at: datetime
    verdict: Verdict
    metrics: tuple[MetricResult, ...]


class CanaryRun(Model):
    """The analysis of one deploy so far: its measurements and its phase (``None`` while it
    runs). ``id`` is the workflow's id: the same deploy is analysed once."""

    id: str
    deploy: Deploy
    started_at: datetime
    measurements: tuple[Measurement, ...] = ()
    verdict: Verdict | None = None
    summary: str = ""
    incident_id: str | None = None
    """The incident a failed analysis opened."""
