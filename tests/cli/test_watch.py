"""``nightowl watch list|run|findings|accept`` through Typer's runner on a real store, with the
testing kit's watcher configured as a kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from nightowl.cli.main import app as cli
from nightowl.registry import WATCHERS
from nightowl.testing.watcher import FAKE_KIND
from tests.cli.test_cli import CLEAN_ENV

FOUND = {"kind": "drift", "resource": "aws_lb_listener_rule.web", "title": "rule changed"}


@pytest.fixture(autouse=True)
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(WATCHERS.builtins, "fake", FAKE_KIND)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=CLEAN_ENV | {"NIGHTOWL_TOKEN": None})


def config_in(tmp_path: Path, role: str = "responder", **options: object) -> Path:
    raw = {
        "data_dir": str(tmp_path / "data"),
        "cli": {"default_role": role},
        "watchers": [
            {"name": "drift", "kind": "fake", "schedule": "0 3 * * *", "options": options},
            {"name": "off", "kind": "fake", "enabled": False},
        ],
    }
    path = tmp_path / "nightowl.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_list_shows_each_watcher_with_its_next_run(tmp_path: Path) -> None:
    shown = run("watch", "list", "--config", config_in(tmp_path), "--json")
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)
    assert [(r["name"], r["enabled"]) for r in rows] == [("drift", True), ("off", False)]
    assert rows[0]["next_run"].endswith("03:00:00+00:00")
    assert rows[1]["next_run"] is None


def test_run_tracks_the_findings_and_findings_shows_them(tmp_path: Path) -> None:
    config = config_in(tmp_path, findings=[FOUND])
    ran = run("watch", "run", "drift", "--config", config, "--json")
    assert ran.exit_code == 0, ran.output
    done = json.loads(ran.stdout)
    assert [(f["resource"], f["state"]) for f in done["findings"]] == [
        ("aws_lb_listener_rule.web", "new")
    ]
    again = json.loads(run("watch", "run", "drift", "--config", config, "--json").stdout)
    assert [f["state"] for f in again["findings"]] == ["open"]
    listed = json.loads(run("watch", "findings", "--config", config, "--json").stdout)
    assert [f["fingerprint"] for f in listed] == [done["findings"][0]["fingerprint"]]


def test_a_run_that_could_not_look_exits_1_with_the_reason(tmp_path: Path) -> None:
    ran = run("watch", "run", "drift", "--config", config_in(tmp_path, fail="no plan file"))
    assert ran.exit_code == 1
    assert "no plan file" in ran.output


def test_an_unknown_watcher_and_a_viewer_are_refused_clearly(tmp_path: Path) -> None:
    unknown = run("watch", "run", "nope", "--config", config_in(tmp_path))
    assert unknown.exit_code == 1
    assert "configured: drift, off" in unknown.output
    viewer = run("watch", "run", "drift", "--config", config_in(tmp_path, role="viewer"))
    assert viewer.exit_code == 1
    assert "responder role" in viewer.output


def test_accept_needs_an_approver_and_a_known_finding(tmp_path: Path) -> None:
    config = config_in(tmp_path, findings=[FOUND])
    done = json.loads(run("watch", "run", "drift", "--config", config, "--json").stdout)
    fingerprint = done["findings"][0]["fingerprint"]
    refused = run("watch", "accept", fingerprint, "--until", "2999-01-01", "--config", config)
    assert refused.exit_code == 1
    assert "approver role" in refused.output
    approver = config_in(tmp_path, role="approver", findings=[FOUND])
    accepted = run("watch", "accept", fingerprint, "--until", "2999-01-01", "--config", approver)
    assert accepted.exit_code == 0, accepted.output
    listed = json.loads(run("watch", "findings", "--config", config, "--json").stdout)
    assert [f["state"] for f in listed] == ["accepted"]
