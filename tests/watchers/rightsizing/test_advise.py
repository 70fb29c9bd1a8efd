"""The sizing arithmetic: when to propose, how far down (never below peak plus headroom), the
monthly saving, and when a job is a runaway."""

from __future__ import annotations

import pytest

from nightowl.watchers.rightsizing.advise import Thresholds, runaway, size
from nightowl.watchers.rightsizing.model import JobRun, Prices, SizingKind, Usage


def usage(replicas: int, cpu: float, p95: float, peak: float) -> Usage:
    return Usage(subject="web", namespace="shop", replicas=replicas, requested={"cpu": cpu},
                 p95={"cpu": p95}, peak={"cpu": peak})  # fmt: skip


def test_within_the_ratio_nothing_is_proposed() -> None:
    assert size(usage(4, 4.0, 2.1, 3.0), Prices(), Thresholds()) is None


def test_at_min_replicas_the_request_is_lowered_to_peak_plus_headroom() -> None:
    found = size(usage(2, 4.0, 0.8, 1.0), Prices(cpu_hour=0.05), Thresholds(headroom=0.5))
    assert found is not None
    assert found.resize is not None
    assert (found.resize.resource, found.resize.request_from, found.resize.request_to) == (
        "cpu",
        4.0,
        1.5,
    )
    assert found.saving_per_month == pytest.approx(2.5 * 0.05 * 730)
    assert found.resize.describe("shop/web") == "lower shop/web's cpu request 4 → 1.5"


def test_a_recent_peak_keeps_capacity_even_when_the_p95_is_low() -> None:
    # p95 is a tenth of the request, but the peak needs 7 of 10 replicas with headroom
    found = size(usage(10, 10.0, 1.0, 5.3), Prices(), Thresholds())
    assert found is not None
    assert found.resize is not None
    assert found.resize.replicas_to == 7  # ceil(10 × 5.3 × 1.3 / 10) = ceil(6.89)
    assert found.kind is SizingKind.OVERPROVISIONED


def test_a_job_is_a_runaway_only_against_enough_past_runs() -> None:
    few = JobRun(job="etl-9", running_seconds=9000, past_seconds=(600, 700))
    assert runaway(few, Prices(), Thresholds()) is None
    usual = JobRun(job="etl-9", running_seconds=1500, past_seconds=(600, 700, 650))
    assert runaway(usual, Prices(), Thresholds()) is None
    far = JobRun(job="etl-9", running_seconds=3600, past_seconds=(600, 700, 650), cpu_cores=2)
    found = runaway(far, Prices(), Thresholds())
    assert found is not None
    assert found.resize is None
    assert found.evidence["excess_cost"] == pytest.approx(2 * 0.034 * (3600 - 650) / 3600, abs=0.01)
