"""The kit's fake sources pass the source contracts they give plugin authors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import ClusterEvent, Deploy, LogLevel, LogRecord, Pod, Rollout, Series
from nightowl.domain import SignalKind as K
from nightowl.errors import ConnectorError
from nightowl.testing.contracts import (
    ClusterCase,
    ClusterSourceContract,
    DeployCase,
    DeploySourceContract,
    LogSourceContract,
    MetricsCase,
    MetricsSourceContract,
    TopologySourceContract,
)
from nightowl.testing.contracts.sources import LogCase
from nightowl.testing.sources import FakeCluster, FakeDeploys, FakeLogs, FakeMetrics, FakeTopology

T = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
HOUR = (T - timedelta(hours=1), T)


def at(minutes: int) -> datetime:
    return T - timedelta(minutes=minutes)


class TestFakeMetrics(MetricsSourceContract):
    @pytest.fixture
    def metrics_source(self) -> FakeMetrics:
        ts = tuple(at(m).timestamp() for m in (90, 30, 20, 10))
        series = Series(metric="error_rate", timestamps=ts, values=(0, 0.01, 0.2, 0.3))
        return FakeMetrics({"checkout": {K.ERROR_RATE: series}})

    @pytest.fixture
    def metrics_case(self) -> MetricsCase:
        return MetricsCase(
            service="checkout", start=HOUR[0], end=T, query='error_rate{service="checkout"}'
        )

    def test_the_window_cuts_points_and_a_bad_query_is_refused(
        self, metrics_source: FakeMetrics
    ) -> None:
        import asyncio

        got = asyncio.run(metrics_source.service_signals("checkout", *HOUR, 30))
        assert got[K.ERROR_RATE].values == (0.01, 0.2, 0.3)
        with pytest.raises(ConnectorError):
            asyncio.run(metrics_source.query("rate(http_requests_total[5m])", T))


class TestFakeLogs(LogSourceContract):
    @pytest.fixture
    def log_source(self) -> FakeLogs:
        return FakeLogs(
            [
                LogRecord(timestamp=at(m), service=s, level=LogLevel.ERROR, message=f"boom {m}")
                for m, s in ((5, "checkout"), (3, "payments"), (2, "checkout"), (90, "checkout"))
            ]
        )

    @pytest.fixture
    def log_case(self) -> LogCase:
        return LogCase(query=LogQuery(service="checkout", start=HOUR[0], end=T, limit=1))


class TestFakeDeploys(DeploySourceContract):
    @pytest.fixture
    def deploy_source(self) -> FakeDeploys:
        return FakeDeploys(
            [
                Deploy(service="checkout", version="v2", at=at(10)),
                Deploy(service="payments", version="v7", at=at(20)),
                Deploy(service="checkout", version="v1", at=at(40)),
            ]
        )

    @pytest.fixture
    def deploy_case(self) -> DeployCase:
        return DeployCase(service="checkout", start=HOUR[0], end=T)


class TestFakeCluster(ClusterSourceContract):
    @pytest.fixture
    def cluster_source(self) -> FakeCluster:
        return FakeCluster(
            pods=[Pod(name="checkout-1", service="checkout"), Pod(name="p-1", service="payments")],
            events=[
                ClusterEvent(
                    at=at(m),
                    reason="OOMKilling",
                    message="oom",
                    object="pod/checkout-1",
                    service="checkout",
                )
                for m in (30, 5, 120)
            ],
            rollouts=[
                Rollout(
                    workload="checkout", service="checkout", revision=r, version=f"v{r}", at=at(r)
                )
                for r in (1, 3, 2)
            ],
        )

    @pytest.fixture
    def cluster_case(self) -> ClusterCase:
        return ClusterCase(service="checkout", start=HOUR[0], end=T)


class TestFakeTopology(TopologySourceContract):
    @pytest.fixture
    def topology_source(self) -> FakeTopology:
        return FakeTopology({"frontend": ["checkout", "frontend"], "checkout": ["payments"]})


def test_a_fake_built_with_an_error_is_a_dead_backend() -> None:
    import asyncio

    with pytest.raises(ConnectorError, match="down"):
        asyncio.run(FakeDeploys([], error="down").deploys(None, *HOUR))
