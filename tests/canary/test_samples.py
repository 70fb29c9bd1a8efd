"""Reading the samples: canary pods against baseline pods by the version label on a real
VictoriaMetrics (series imported through its documented /api/v1/import), and before against
after through the golden signals when only one version answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nightowl_lab.harness.prometheus import VictoriaMetricsServer

from nightowl.canary.judge import judge_metric
from nightowl.canary.samples import SampleReader
from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.domain import Deploy, Series, SignalKind
from nightowl.domain.canary import Comparison, Verdict
from nightowl.errors import ConnectorError
from nightowl.settings import CanaryMetric, CanarySettings
from nightowl.testing.sources import FakeMetrics

NOW = datetime.now(UTC).replace(microsecond=0)
DEPLOYED = NOW - timedelta(minutes=10)
QUERY = 'canary_latency_seconds{service="{{service}}",version="{{version}}"}'


def _lines() -> str:
    """Both versions side by side since the deploy: the new one twice as slow."""
    stamps = [int((DEPLOYED + timedelta(seconds=30 * i)).timestamp() * 1000) for i in range(19)]
    rows = []
    for version, level in (("v1", 0.2), ("v2", 0.4)):
        metric = {"__name__": "canary_latency_seconds", "service": "checkout", "version": version}
        values = [level + 0.01 * (i % 3) for i in range(len(stamps))]
        rows.append(json.dumps({"metric": metric, "values": values, "timestamps": stamps}))
    return "\n".join(rows)


@pytest.fixture(scope="module")
def victoria() -> Iterator[str]:
    with VictoriaMetricsServer() as server:
        httpx.post(f"{server.url}/api/v1/import", content=_lines(), timeout=10).raise_for_status()
        httpx.get(f"{server.url}/internal/force_flush", timeout=10).raise_for_status()
        yield server.url


def _deploy(previous: str | None = "v1") -> Deploy:
    return Deploy(
        service="checkout", version="v2", previous_version=previous, at=DEPLOYED, source="ci"
    )


def test_canary_pods_are_compared_with_baseline_pods_by_the_version_label(victoria: str) -> None:
    metric = CanaryMetric(name="latency", signal="latency_p99", query=QUERY)
    settings = CanarySettings(metrics=[metric])
    reader = SampleReader([Prometheus("vm", PrometheusConfig(url=victoria))], settings)
    samples = asyncio.run(reader.read(_deploy(), NOW))["latency"]
    assert samples.comparison is Comparison.CANARY
    assert len(samples.canary) >= 4
    assert len(samples.baseline) >= 4
    assert max(samples.baseline) < 0.25 < min(samples.canary)
    assert judge_metric(metric, samples.baseline, samples.canary, 4).verdict is Verdict.FAIL


def test_without_the_old_version_running_it_compares_before_with_after(victoria: str) -> None:
    # The query answers for v2 only (a full rollout): the golden signals are read instead.
    metric = CanaryMetric(name="latency", signal="latency_p99", query=QUERY)
    settings = CanarySettings(metrics=[metric], step_seconds=60)
    t = [(DEPLOYED + timedelta(minutes=m)).timestamp() for m in range(-30, 10)]
    series = Series(metric="latency_p99", timestamps=tuple(t), values=tuple(0.2 for _ in t))
    fake = FakeMetrics({"checkout": {SignalKind.LATENCY_P99: series}})
    reader = SampleReader([Prometheus("vm", PrometheusConfig(url=victoria)), fake], settings)
    samples = asyncio.run(reader.read(_deploy(previous="v0"), NOW))["latency"]
    assert samples.comparison is Comparison.BEFORE_AFTER
    assert len(samples.baseline) == 30
    assert len(samples.canary) == 10


def test_no_metrics_connector_is_said_so() -> None:
    reader = SampleReader([], CanarySettings())
    with pytest.raises(ConnectorError, match="add a metrics connector"):
        asyncio.run(reader.read(_deploy(), NOW))
