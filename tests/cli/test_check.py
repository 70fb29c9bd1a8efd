"""``nightowl check connectors`` and ``nightowl deploy record`` through Typer's runner, against a
real Prometheus started by the test session, a dead port, and the bundled replay scenario."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from nightowl_lab.harness.ports import free_port
from nightowl_lab.harness.prometheus import PrometheusServer
from nightowl_lab.sim.scenario import bundled_scenario
from typer.testing import CliRunner, Result

from nightowl.cli.main import app

CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_WEBHOOK_TOKEN": None,
    "NIGHTOWL_TOKEN": None,
    "LOGNAME": "ci",  # the OS user the CLI acts as (getpass.getuser)
    "USER": "ci",
    "COLUMNS": "400",
}


@pytest.fixture(scope="module")
def prometheus_url() -> Iterator[str]:
    """A real Prometheus (Debian ``prometheus``) on loopback, scraping nothing."""
    with PrometheusServer() as server:
        yield server.url


def run(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=CLEAN_ENV | (env or {}))


def ci_config(tmp_path: Path) -> Path:
    """The store in ``tmp_path``; the OS user ``ci`` a responder (who may record deploys)."""
    path = tmp_path / "ci.yaml"
    path.write_text(
        yaml.safe_dump({"data_dir": str(tmp_path), "cli": {"users": {"ci": "responder"}}})
    )
    return path


def config(tmp_path: Path, connectors: list[dict[str, Any]]) -> Path:
    path = tmp_path / "nightowl.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "data"),
                "connectors": connectors,
                "gather": {"call_timeout_seconds": 5},
            }
        )
    )
    return path


def test_healthy_connectors_pass(tmp_path: Path) -> None:
    path = config(
        tmp_path,
        [
            {
                "name": "scenario",
                "kind": "replay",
                "scenario": str(bundled_scenario("checkout-bad-deploy")),
            }
        ],
    )
    result = run("check", "connectors", "--config", path, "--json")
    assert result.exit_code == 0, result.output
    checks = json.loads(result.stdout)["connectors"]
    assert [(c["name"], c["kind"], c["ok"], c["error"]) for c in checks] == [
        ("scenario", "replay", True, None),
        ("recorded", "recorded", True, None),
    ]
    assert all(c["latency_ms"] >= 0 for c in checks)


def test_a_dead_backend_fails_with_exit_1_and_a_clear_line(
    tmp_path: Path, prometheus_url: str
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    path = config(tmp_path, [
        {"name": "prom", "kind": "prometheus", "url": prometheus_url},
        {"name": "old-loki", "kind": "loki", "url": dead},
    ])  # fmt: skip
    result = run("check", "connectors", "--config", path, "--json")
    assert result.exit_code == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)["connectors"]}
    assert checks["prom"]["ok"] is True
    assert checks["old-loki"]["ok"] is False
    assert checks["old-loki"]["error"].startswith(
        f"connector 'old-loki': cannot reach {dead}/loki/api/v1/query_range"
    )
    table = run("check", "connectors", "--config", path)
    assert table.exit_code == 1
    assert "old-loki" in table.output
    assert "failed" in table.output
    assert "Traceback" not in table.output


def test_a_bad_connector_config_is_one_line_exit_2(tmp_path: Path) -> None:
    path = config(tmp_path, [{"name": "prom", "kind": "prometheus", "url": "localhost:9090"}])
    result = run("check", "connectors", "--config", path)
    assert result.exit_code == 2
    assert "connectors.prom.url" in result.output
    assert "Traceback" not in result.output


def test_deploy_record_writes_to_the_store_idempotently(tmp_path: Path) -> None:
    args = [
        "deploy",
        "record",
        "--config",
        ci_config(tmp_path),
        "--service",
        "checkout",
        "--version",
        "v3",
        "--commit",
        "abc",
        "--at",
        "2026-11-20T03:00:00+01:00",
        "--json",
    ]
    first, again = run(*args), run(*args)
    viewer = run(*args, env={"LOGNAME": "intern", "USER": "intern"})  # cli.default_role
    assert viewer.exit_code == 1
    assert "intern (viewer) may not record deploys: it takes the responder role" in viewer.output
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["created"] is True
    assert json.loads(again.stdout)["created"] is False
    assert json.loads(first.stdout)["deploy"]["at"] == "2026-11-20T02:00:00Z"


def test_deploy_record_refuses_a_time_without_zone(tmp_path: Path) -> None:
    result = run(
        "deploy",
        "record",
        "--data-dir",
        tmp_path,
        "--service",
        "a",
        "--version",
        "v1",
        "--at",
        "2026-11-20T03:00:00",
    )
    assert result.exit_code == 1
    assert "has no time zone" in result.output


def test_deploy_record_posts_to_a_running_server_and_reports_refusals(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = run(
        "deploy", "record", "--service", "a", "--version", "v1", "--url", dead, "--token", "t"
    )
    assert result.exit_code == 1
    assert f"cannot reach {dead}/api/v1/deploys" in result.output
