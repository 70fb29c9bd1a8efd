"""Usage, requests and job durations read from a real Prometheus whose TSDB was backfilled with
fourteen days of history (promtool), then sized: the over-provisioned workload and node pool,
the idle workload and the runaway job are found, the right-sized one is not."""

from __future__ import annotations

from asyncio import run
from datetime import datetime

import pytest

from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.watchers.rightsizing.advise import Thresholds, runaway, size
from nightowl.watchers.rightsizing.metrics import Queries, UsageReader
from nightowl.watchers.rightsizing.model import Prices, SizingKind
from tests.watchers.rightsizing.history import DAYS, cpu


def reader(url: str) -> UsageReader:
    source = Prometheus("prom", PrometheusConfig.model_validate({"url": url}))
    return UsageReader(source, Queries(rate="15m"))  # the history has a sample every 5 min


def test_workloads_p95_and_peak_against_requests(history: tuple[str, datetime]) -> None:
    url, now = history
    found = {u.subject: u for u in run(reader(url).workloads(now))}
    assert sorted(found) == ["api", "report", "web"]
    web = found["web"]
    assert (web.replicas, web.requested) == (6, {"cpu": 6.0, "memory": 6.0})
    assert web.peak["cpu"] == pytest.approx(1.2, abs=0.01)
    assert 0.9 < web.p95["cpu"] < 1.0
    assert web.p95["memory"] == pytest.approx(1.5, abs=0.01)
    assert found["report"].peak["cpu"] == 0.0


def test_the_oversized_and_idle_workloads_are_findings_with_savings(
    history: tuple[str, datetime],
) -> None:
    url, now = history
    prices, limits = Prices(), Thresholds()
    findings = {u.subject: size(u, prices, limits) for u in run(reader(url).workloads(now))}
    assert findings["api"] is None
    web = findings["web"]
    assert web is not None
    assert web.resize is not None
    assert (web.kind, web.resize.replicas_from, web.resize.replicas_to) == (
        SizingKind.OVERPROVISIONED,
        6,
        2,
    )
    # 4 of 6 replicas: 4 cores × $0.034 × 730 h + 4 GiB × $0.0045 × 730 h
    assert web.saving_per_month == pytest.approx(4 * 0.034 * 730 + 4 * 0.0045 * 730, abs=0.01)
    # never below the peak plus headroom: 2 replicas hold 2 cores ≥ 1.2 × 1.3, 2 GiB ≥ 1.5 × 1.3
    assert web.resize.replicas_to * 1.0 >= 1.5 * 1.3
    report = findings["report"]
    assert report is not None
    assert report.resize is not None
    assert (report.kind, report.resize.replicas_to) == (SizingKind.IDLE, 0)


def test_an_oversized_node_pool(history: tuple[str, datetime]) -> None:
    url, now = history
    (pool,) = run(reader(url).pools(now))
    assert (pool.subject, pool.replicas, pool.requested["cpu"]) == ("general", 4, 16.0)
    n = DAYS * 288
    generated = max(cpu("web", i, n) + cpu("api", i, n) for i in range(n))
    assert pool.peak["cpu"] == pytest.approx(generated, abs=0.1)  # a 15-minute rate smooths it
    found = size(pool, Prices(), Thresholds())
    assert found is not None
    assert found.resize is not None
    assert (found.resize.replicas_from, found.resize.replicas_to) == (4, 2)  # min_replicas
    assert found.saving_per_month == pytest.approx(8 * 0.034 * 730, abs=0.01)


def test_a_job_far_past_its_usual_duration(history: tuple[str, datetime]) -> None:
    url, now = history
    (job,) = run(reader(url).jobs(now))
    assert job.job == "nightly-6"
    assert job.running_seconds == pytest.approx(3 * 3600, abs=5)
    assert sorted(job.past_seconds) == [1200, 1260, 1320, 1380, 1440]
    found = runaway(job, Prices(), Thresholds())
    assert found is not None
    assert found.kind is SizingKind.RUNAWAY
    assert "8.2× its median of 22 min" in found.reason
