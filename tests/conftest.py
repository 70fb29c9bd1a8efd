"""Fixtures shared by the product's test packages: benchmark data, settings, a running nightowl,
PostgreSQL (the DBOS log fixture both test trees need is in the root conftest.py).

DBOS is a process-wide singleton, so a test that launches ``Nightowl`` must shut it down again:
use ``running_app``, which does both.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from nightowl_lab.harness.mlflow import MLflowServer
from nightowl_lab.harness.postgres import PostgresServer, serve_postgres
from nightowl_lab.sim.scenario import bundled_scenario

from nightowl.domain import Autonomy
from nightowl.settings import Settings

if TYPE_CHECKING:
    from nightowl.app import Nightowl

TOKEN = "test-webhook-token-6d1f0c"
"""The bearer token ``settings_for`` configures for the alertmanager source."""
READER = "reader"
READER_TOKEN = "test-reader-token-8a41e2"
"""The ``api.users`` token ``settings_for`` always adds (role: ui.token_role, a responder)."""
READ = {"Authorization": f"Bearer {READER_TOKEN}"}
"""Headers of a person reading the API (every route but /healthz takes a token)."""

SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="session")
def shared_bench() -> Path:
    """``../shared/bench`` next to the repository (read-only benchmark data and fixtures)."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
    if not path.is_dir():
        pytest.skip(f"shared benchmark data not found at {path}: these tests read its fixtures")
    return path


@pytest.fixture(scope="session")
def alert_fixtures(shared_bench: Path) -> Path:
    """Captured and documented webhook bodies (Alertmanager, Grafana, PagerDuty, ...)."""
    path = shared_bench / "fixtures" / "alerts"
    if not path.is_dir():
        pytest.skip(f"alert fixtures not found at {path}")
    return path


def make_settings(
    data_dir: Path,
    *,
    scenario: str = "checkout-bad-deploy",
    autonomy: Autonomy | str = Autonomy.SUGGEST,
    dry_run: bool = True,
    **sections: Any,
) -> Settings:
    """Settings replaying a bundled scenario into ``data_dir``, with TOKEN for alertmanager and
    READER_TOKEN in ``api.users``.

    ``sections`` replace whole top-level sections (``webhooks={...}``, ``notify={...}``), except
    that READER is added to a given ``api.users``.
    """
    raw: dict[str, Any] = {
        "data_dir": str(data_dir),
        "connectors": [
            {"name": "scenario", "kind": "replay", "scenario": str(bundled_scenario(scenario))}
        ],
        "policy": {"autonomy": str(autonomy)},
        "actions": {"dry_run": dry_run},
        "webhooks": {"tokens": {"alertmanager": [TOKEN]}},
        # Flush a group at once, so the webhook answers with its incident (as the demo does).
        "intake": {"group_wait_seconds": 0},
        **sections,
    }
    api = dict(raw.get("api") or {})
    raw["api"] = api | {"users": {READER: READER_TOKEN, **(api.get("users") or {})}}
    return Settings.model_validate(raw)


@pytest.fixture
def settings_for() -> SettingsFactory:
    """``settings_for(tmp_path, scenario=..., autonomy=..., dry_run=..., **sections)``."""
    return make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The default test settings (checkout-bad-deploy, autonomy suggest, dry run); override freely."""
    return make_settings(tmp_path)


@pytest.fixture
def running_app(settings: Settings) -> Iterator[Nightowl]:
    """A launched Nightowl over ``settings``, shut down (DBOS destroyed) after the test."""
    from nightowl.app import Nightowl  # the whole application: only for the tests that run it

    app = Nightowl(settings)
    try:
        app.launch()
        yield app
    finally:
        app.shutdown()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session (needs the Debian package ``postgresql``)."""
    yield from serve_postgres()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server."""
    return postgres_server.create_database(f"test_{uuid.uuid4().hex[:16]}")


@pytest.fixture(scope="session")
def mlflow_server() -> Iterator[MLflowServer]:
    """One real ``mlflow server`` (SQLite registry) for the session, from ``.venv/mlflow``."""
    with MLflowServer() as server:
        yield server
