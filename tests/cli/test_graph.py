"""``nightowl graph show|who-changed|refresh`` through Typer's runner on a real store: a deploy
recorded with ``nightowl deploy record`` answers who changed the service, a refresh reads the
config's owners and the replayed scenario's topology, and Rich draws the service between what
depends on it and what it depends on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from nightowl_lab.sim.scenario import bundled_scenario
from typer.testing import CliRunner, Result

from nightowl.cli.main import app
from tests.cli.test_cli import CLEAN_ENV


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "nightowl.yaml"
    scenario = str(bundled_scenario("checkout-bad-deploy"))
    path.write_text(yaml.safe_dump({
        "data_dir": str(tmp_path / "data"),
        "connectors": [{"name": "scenario", "kind": "replay", "scenario": scenario}],
        "cli": {"default_role": "responder"},
        "graph": {"owners": {"checkout": ["@acme/checkout", "ana"]}, "on_call": {"checkout": ["bo"]}},
    }))  # fmt: skip
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=CLEAN_ENV)


def test_a_recorded_deploy_answers_who_changed(config: Path) -> None:
    at = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    recorded = run("deploy", "record", "--service", "checkout", "--version", "v2.4.1",
                   "--author", "carla", "--commit", "f00dbabe", "--summary", "retry budget (#77)",
                   "--at", at, "--config", config)  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    shown = run("graph", "who-changed", "checkout", "--since", "1h", "--json", "--config", config)
    assert shown.exit_code == 0, shown.output
    (change,) = json.loads(shown.stdout)
    assert (change["author"], change["commit"], change["pr"]) == ("carla", "f00dbabe", "77")
    table = run("graph", "who-changed", "checkout", "--since", "2h", "--config", config)
    assert "carla" in table.stdout
    assert "#77" in table.stdout
    quiet = run("graph", "who-changed", "checkout", "--since", "5m", "--config", config)
    assert "no deploys of checkout" in quiet.stdout
    bad = run("graph", "who-changed", "checkout", "--since", "soon", "--config", config)
    assert bad.exit_code == 2
    assert "30d, 12h, 90m" in bad.output


def test_refresh_then_show_draws_owners_and_dependencies(config: Path) -> None:
    assert run("db", "migrate", "--config", config).exit_code == 0  # a store, with no graph yet
    before = run("graph", "show", "checkout", "--config", config)
    assert "knows nothing about 'checkout'" in before.stdout
    refreshed = run("graph", "refresh", "--config", config)
    assert refreshed.exit_code == 0, refreshed.output
    assert "scenario" in refreshed.stdout
    card = json.loads(run("graph", "show", "checkout", "--json", "--config", config).stdout)
    assert [o["name"] for o in card["owners"]] == ["acme/checkout", "ana"]
    assert card["dependencies"], "the scenario's topology names checkout's dependencies"
    drawn = run("graph", "show", "checkout", "--config", config).stdout
    assert "depends on" in drawn
    assert "depended on by" in drawn
    assert "acme/checkout (team; config)" in drawn
    assert card["dependencies"][0]["service"] in drawn


def test_forget_takes_an_admin_and_removes_the_person(config: Path) -> None:
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    run("deploy", "record", "--service", "checkout", "--version", "v9", "--author", "carla",
        "--at", at, "--config", config)  # fmt: skip
    refused = run("graph", "forget", "carla", "--config", config)  # a responder
    assert refused.exit_code == 1
    assert "admin" in refused.output
    admin = yaml.safe_load(config.read_text()) | {"cli": {"default_role": "admin"}}
    config.write_text(yaml.safe_dump(admin))
    forgot = run("graph", "forget", "carla", "--config", config)
    assert forgot.exit_code == 0, forgot.output
    assert "forgot carla: 1 edge(s) removed" in forgot.stdout
    (change,) = json.loads(
        run("graph", "who-changed", "checkout", "--json", "--config", config).stdout
    )
    assert change["author"] == "(forgotten)"
