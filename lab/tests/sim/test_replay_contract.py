"""The replay connector and the simulated driver run the kit's contracts (nightowl.testing)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from nightowl_lab.sim.replay import Replay, ReplayConfig
from nightowl_lab.sim.scenario import bundled_scenario

from nightowl.connectors.protocols import LogQuery
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


@pytest.fixture
def replay(tmp_path: Path) -> Replay:
    config = ReplayConfig(scenario=bundled_scenario("checkout-bad-deploy"))
    return Replay.from_config("scenario", config, tmp_path)


class TestReplayContracts(
    MetricsSourceContract,
    LogSourceContract,
    DeploySourceContract,
    ClusterSourceContract,
    TopologySourceContract,
):
    @pytest.fixture
    def metrics_source(self, replay: Replay) -> Replay:
        return replay

    log_source = deploy_source = cluster_source = topology_source = metrics_source

    @pytest.fixture
    def metrics_case(self, replay: Replay) -> MetricsCase:
        end = replay.scenario.page_time
        return MetricsCase(
            service="checkout",
            start=end - timedelta(minutes=30),
            end=end,
            step_seconds=replay.scenario.step_seconds,
            query='memory{service="checkout"}',
        )

    @pytest.fixture
    def log_case(self, replay: Replay) -> LogCase:
        end = replay.scenario.page_time
        return LogCase(query=LogQuery(start=end - timedelta(minutes=30), end=end, limit=5))

    @pytest.fixture
    def deploy_case(self, replay: Replay) -> DeployCase:
        end = replay.scenario.page_time
        return DeployCase(service="checkout", start=end - timedelta(hours=2), end=end)

    @pytest.fixture
    def cluster_case(self, replay: Replay) -> ClusterCase:
        end = replay.scenario.page_time
        return ClusterCase(service="checkout", start=end - timedelta(hours=2), end=end)


def test_the_replay_gives_the_scenario_clock_and_its_driver(replay: Replay) -> None:
    assert replay.recorded_clock().now() >= replay.scenario.page_time
    driver = replay.companion_driver()
    assert (driver.kind, driver.options()["state_file"]) == ("simulated", str(replay.cluster.path))
