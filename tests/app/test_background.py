"""The serving process's background loops: the knowledge graph's periodic refresh runs at start
and every ``graph.refresh_seconds``, survives a connector that fails on every tick (logged, the
config's owners still written), and stops with the server."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from nightowl_lab.sim.scenario import bundled_scenario

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.graph.knowledge import Knowledge
from tests.conftest import SettingsFactory

REFRESH = "nightowl-graph-refresh"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def refreshes(caplog: pytest.LogCaptureFixture) -> int:
    """How many refreshes reported the dead cluster's owners (one warning each)."""
    prefix = "graph refresh from k8s (owners): "
    return sum(1 for r in caplog.records if r.getMessage().startswith(prefix))


def test_the_graph_refresh_runs_every_tick_survives_a_dead_connector_and_stops_with_the_server(
    tmp_path: Path, settings_for: SettingsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    connectors = [
        {
            "name": "scenario",
            "kind": "replay",
            "scenario": str(bundled_scenario("checkout-bad-deploy")),
        },
        {"name": "k8s", "kind": "kubernetes", "url": f"http://127.0.0.1:{port}"},
    ]
    settings = settings_for(
        tmp_path,
        connectors=connectors,
        # 1 s: the smallest tick the setting takes, so two ticks pass quickly.
        graph={"refresh_seconds": 1, "owners": {"checkout": ["team:shop"]}},
    )
    app = Nightowl(settings)
    caplog.set_level(logging.WARNING, logger="nightowl.app.background")
    with TestClient(create_api(app, manage_lifecycle=True)):
        loop = app.background.tasks[REFRESH]
        deadline = time.monotonic() + 30
        while refreshes(caplog) < 2:  # the one at start and at least one tick later
            assert time.monotonic() < deadline, "the graph was not refreshed twice"
            assert not loop.done(), "the refresh loop ended while serving"
            time.sleep(0.05)
        card = Knowledge(app.stores.graph, settings.graph).card("checkout", app.clock.now())
        assert [o.name for o in card.owners] == ["shop"]  # the config's part was written
    said = [r.getMessage() for r in caplog.records if "k8s (owners)" in r.getMessage()]
    assert f"cannot reach the API server at http://127.0.0.1:{port}" in said[0]
    assert loop.cancelled()
    assert REFRESH not in app.background.tasks
