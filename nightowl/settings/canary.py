"""The ``canary:`` section: post-deploy analysis in the shape of an Argo Rollouts
AnalysisTemplate (``interval``, ``count``, ``failureLimit``, ``inconclusiveLimit``, a success
condition per metric)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from nightowl.settings.base import Section


class CanaryMetric(Section):
    """One metric's success condition: the new version fails it when it is worse than the old by
    more than ``max_effect`` (relative change of the medians, in the bad ``direction``) and the
    Mann–Whitney U test says so at ``alpha``. Either alone is not enough: a tiny but significant
    change passes, a large but noisy one is not a failure."""

    name: str = Field(min_length=1, max_length=100)
    signal: Literal["error_rate", "latency_p99", "cpu", "memory", "request_rate"] = Field(
        description="The golden signal read through the metrics connector's service_signals."
    )
    direction: Literal["increase", "decrease"] = Field(
        default="increase", description="Which way is worse: errors and latency rising."
    )
    max_effect: float = Field(
        default=0.2,
        gt=0,
        description="Largest tolerated relative change of the median (0.2: 20 %).",
    )
    alpha: float = Field(default=0.05, gt=0, lt=1, description="Significance of the U test.")
    floor: float = Field(
        default=0.0,
        ge=0,
        description="Below this absolute level a metric never fails (1 error in 10,000 is noise).",
    )
    query: str | None = Field(
        default=None,
        max_length=2000,
        description=(
            "Optional query in the backend's language with {{service}} and {{version}} placeholders: "
            "when both versions answer it, canary pods are compared with baseline pods."
        ),
    )


def _golden() -> list[CanaryMetric]:
    return [
        CanaryMetric(name="errors", signal="error_rate", max_effect=0.5, floor=0.005),
        CanaryMetric(name="latency", signal="latency_p99", max_effect=0.25),
        CanaryMetric(name="saturation", signal="cpu", max_effect=0.3),
    ]


class CanarySettings(Section):
    """When and how a recorded deploy is analysed."""

    enabled: bool = Field(default=True, description="Analyse every deploy pushed to nightowl.")
    interval_seconds: float = Field(default=60, gt=0, le=3600, description="Between measurements.")
    count: int = Field(default=10, ge=1, le=1000, description="Measurements before it passes.")
    failure_limit: int = Field(
        default=0, ge=0, description="Failed measurements tolerated; one more fails the analysis."
    )
    inconclusive_limit: int = Field(
        default=3, ge=0, description="Inconclusive ones tolerated; one more ends it inconclusive."
    )
    baseline_minutes: int = Field(
        default=30, ge=1, le=1440, description="Before/after: how long before the deploy to read."
    )
    min_samples: int = Field(
        default=4, ge=2, description="Fewer points on either side make a metric inconclusive."
    )
    step_seconds: int = Field(default=30, ge=1, le=3600, description="Resolution of the reads.")
    version_label: str = Field(default="version", min_length=1, max_length=100)
    severity: str = Field(default="critical", description="Severity of the page on a failure.")
    metrics: list[CanaryMetric] = Field(default_factory=_golden, min_length=1, max_length=50)

    @model_validator(mode="after")
    def _unique(self) -> CanarySettings:
        names = [m.name for m in self.metrics]
        if len(names) != len(set(names)):
            raise ValueError(f"canary.metrics: each name once (got {', '.join(names)})")
        return self
