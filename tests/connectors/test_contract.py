"""The contract every backend honours: replay and each live or recorded backend implement the same
protocols with the same method names, parameters and result types, and behave alike (results in
the documented order, bounded by the window and the limit), so a scenario and a live system are
interchangeable everywhere. The shape check and the contract suites are the plugin author's kit
(``nightowl.testing.contracts``); the built-in connectors without a server run the suites here."""

from __future__ import annotations

from asyncio import run
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from nightowl_lab.sim.replay import Replay, ReplayConfig
from nightowl_lab.sim.scenario import bundled_scenario

from nightowl.connectors import protocols
from nightowl.connectors.argocd import ArgoCD
from nightowl.connectors.elasticsearch import Elasticsearch
from nightowl.connectors.files import LogFiles
from nightowl.connectors.github import GitHub
from nightowl.connectors.journal import Journal
from nightowl.connectors.kubernetes.connector import Kubernetes
from nightowl.connectors.loki import Loki, LokiConfig
from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.connectors.static import StaticConfig, StaticTopology
from nightowl.connectors.traces import TraceTopology
from nightowl.domain import Deploy, LogRecord, Series, SignalKind
from nightowl.store.deploys import DeployLog, RecordedDeploys
from nightowl.testing.contracts import (
    DeployCase,
    DeploySourceContract,
    TopologySourceContract,
)
from nightowl.testing.contracts.shape import same_shape

IMPLEMENTATIONS: dict[type[Any], list[type[Any]]] = {
    protocols.MetricsSource: [Replay, Prometheus],
    protocols.LogSource: [Replay, Loki, Elasticsearch, LogFiles, Journal, Kubernetes],
    protocols.DeploySource: [Replay, GitHub, ArgoCD, Kubernetes, RecordedDeploys],
    protocols.ClusterSource: [Replay, Kubernetes],
    protocols.TopologySource: [Replay, StaticTopology, TraceTopology, Kubernetes],
}
T = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CASES = [(p, impl) for p, impls in IMPLEMENTATIONS.items() for impl in impls]


@pytest.mark.parametrize(("protocol", "impl"), CASES, ids=lambda x: x.__name__)
def test_same_methods_parameters_and_result_types(protocol: type[Any], impl: type[Any]) -> None:
    same_shape(protocol, impl)


@pytest.mark.parametrize(
    "impl", sorted({i for _, i in CASES}, key=lambda c: c.__name__), ids=lambda c: c.__name__
)
def test_every_connector_builds_from_its_plugin_config(impl: type[Any]) -> None:
    assert callable(impl.from_plugin)
    assert "from_plugin" in vars(impl)


@pytest.fixture
def replay(tmp_path: Path) -> Replay:
    return Replay.from_config(
        "scenario", ReplayConfig(scenario=bundled_scenario("checkout-bad-deploy")), tmp_path
    )


def test_metrics_contract_replay_and_live(
    replay: Replay, prometheus_url: str, victoria_url: str
) -> None:
    live = [
        Prometheus(n, PrometheusConfig(url=u, rate_window="1m"))
        for n, u in (("prom", prometheus_url), ("vm", victoria_url))
    ]
    for source, service, end in [(replay, "checkout", replay.scenario.page_time)] + [
        (p, "checkout", datetime.now(UTC)) for p in live
    ]:
        assert isinstance(source, protocols.MetricsSource)
        start = end - timedelta(seconds=30)  # the live servers hold only seconds of data
        signals = run(source.service_signals(service, start, end, 2))
        assert signals
        assert all(isinstance(k, SignalKind) and isinstance(v, Series) for k, v in signals.items())
        for series in signals.values():
            assert list(series.timestamps) == sorted(series.timestamps)
            assert (
                start.timestamp() - 1
                <= series.timestamps[0]
                <= series.timestamps[-1]
                <= end.timestamp() + 1
            )
            assert series.service == service
        instant = run(source.query(_selector(source, service), end))
        assert instant
        assert all(len(s.values) == 1 for s in instant)


def _selector(source: object, service: str) -> str:
    if isinstance(source, Replay):
        return f'memory{{service="{service}"}}'
    return f'process_resident_memory_bytes{{service="{service}"}}'


def test_deploys_contract_replay_and_recorded(replay: Replay, tmp_path: Path) -> None:
    log = DeployLog.open(f"sqlite:///{tmp_path / 'deploys.sqlite'}")
    recorded = RecordedDeploys("recorded", log)
    for d in replay.scenario.deploys:
        log.record(Deploy(**d.model_dump(), source="cli"))
    end = replay.scenario.page_time
    start = end - timedelta(hours=2)
    results = [run(src.deploys("checkout", start, end)) for src in (replay, recorded)]
    log.close()
    for found in results:
        assert found
        assert all(isinstance(d, Deploy) and start <= d.at <= end for d in found)
        assert [d.at for d in found] == sorted(d.at for d in found)
    assert [(d.version, d.at) for d in results[0]] == [(d.version, d.at) for d in results[1]]


def test_log_search_contract_replay_and_loki(replay: Replay) -> None:
    end = replay.scenario.page_time
    query = protocols.LogQuery(start=end - timedelta(minutes=30), end=end, limit=5)
    lines = run(replay.search(query.model_copy(update={"limit": 50})))
    answer = {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [
                {
                    "stream": {"service": r.service},
                    "values": [[str(int(r.timestamp.timestamp() * 1e9)), r.message]],
                }
                for r in lines
            ],
        },
    }
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=answer))
    loki = Loki("loki", LokiConfig(url="http://loki:3100"), transport=transport)
    for source in (replay, loki):
        found = run(source.search(query))
        assert 0 < len(found) <= 5
        assert all(isinstance(r, LogRecord) for r in found)
        assert [r.timestamp for r in found] == sorted((r.timestamp for r in found), reverse=True)
    assert [r.message for r in run(replay.search(query))] == [
        r.message for r in run(loki.search(query))
    ]


class TestStaticTopology(TopologySourceContract):
    @pytest.fixture
    def topology_source(self) -> StaticTopology:
        services = {"frontend": ["checkout", "search"], "checkout": ["payments", "inventory"]}
        return StaticTopology("graph", StaticConfig(services=services))


class TestRecordedDeploys(DeploySourceContract):
    @pytest.fixture
    def deploy_source(self, tmp_path: Path) -> Iterator[RecordedDeploys]:
        log = DeployLog.open(f"sqlite:///{tmp_path / 'deploys.sqlite'}")
        for service, version, minutes in (
            ("checkout", "v1", 50),
            ("search", "v3", 30),
            ("checkout", "v2", 10),
        ):
            log.record(
                Deploy(
                    service=service,
                    version=version,
                    at=T - timedelta(minutes=minutes),
                    source="cli",
                )
            )
        yield RecordedDeploys("recorded", log)
        log.close()

    @pytest.fixture
    def deploy_case(self) -> DeployCase:
        return DeployCase(service="checkout", start=T - timedelta(hours=1), end=T)
