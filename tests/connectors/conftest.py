"""Fixtures of the connector tests: real Prometheus and VictoriaMetrics servers scraping a real
exporter (started once per session, stopped by PID), and a Kubernetes API emulator (kmock)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nightowl_lab.harness.exporter import ServiceExporter
from nightowl_lab.harness.kube import KubeEmulator
from nightowl_lab.harness.prometheus import PrometheusServer, VictoriaMetricsServer

READY = 'rate(http_requests_total{service="checkout"}[1m]) > 0'


@pytest.fixture(scope="session")
def exporter() -> Iterator[ServiceExporter]:
    with ServiceExporter(service="checkout") as running:
        yield running


@pytest.fixture(scope="session")
def prometheus_url(exporter: ServiceExporter) -> Iterator[str]:
    with PrometheusServer(scrape=[exporter.address]) as server:
        server.wait_for(READY)
        yield server.url


@pytest.fixture(scope="session")
def victoria_url(exporter: ServiceExporter) -> Iterator[str]:
    with VictoriaMetricsServer(scrape=[exporter.address]) as server:
        server.wait_for(READY)
        yield server.url


@pytest.fixture(params=["prometheus", "victoriametrics"])
def metrics_url(request: pytest.FixtureRequest) -> str:
    """The URL of each live Prometheus-compatible server in turn."""
    name = "prometheus_url" if request.param == "prometheus" else "victoria_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def kube() -> Iterator[KubeEmulator]:
    """A fresh Kubernetes API emulator (kmock) on a free loopback port."""
    with KubeEmulator() as emulator:
        yield emulator
