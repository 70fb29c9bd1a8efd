"""``nightowl runbook draft`` through Typer's runner on a real store: an incident run through the
pipeline (replayed bad deploy, rolled back, verified recovered) is drafted into a runbook, printed
with its lint result, and proposed in dry run (the policy's verdict, the file's diff, nothing
written)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from nightowl.app import Nightowl
from nightowl.cli.main import app as cli
from nightowl.settings import Settings
from tests.approvals.flow import TOKEN, USERS, page, settings_for
from tests.cli.test_cli import CLEAN_ENV


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=CLEAN_ENV | {"NIGHTOWL_TOKEN": None})


def incident_in(tmp_path: Path) -> tuple[Path, str]:
    settings = settings_for(tmp_path / "data")
    raw = {
        "data_dir": str(tmp_path / "data"),
        "connectors": [c.model_dump(mode="json") for c in settings.connectors],
        "policy": {"autonomy": "act"},
        "webhooks": {"tokens": {"alertmanager": [TOKEN]}},
        "intake": {"group_wait_seconds": 0},
        "api": {"users": USERS},
        "cli": {"default_role": "responder"},
        "actions": {"dry_run": False},
    }
    app = Nightowl(Settings.model_validate(raw))
    app.launch()
    try:
        incident = page(app)
    finally:
        app.shutdown()
    path = tmp_path / "nightowl.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path, incident.id


def test_draft_prints_the_runbook_and_lint_and_a_dry_run_proposal(tmp_path: Path) -> None:
    config, incident_id = incident_in(tmp_path)
    shown = run("runbook", "draft", incident_id, "--config", config)
    assert shown.exit_code == 0, shown.output
    assert "name: rollback-bad-deploy-checkout" in shown.stdout
    assert "lint OK" in shown.stdout
    # the same store in dry run: the policy is asked, the diff shown, nothing written
    dry = tmp_path / "dry.yaml"
    dry.write_text(config.read_text().replace("dry_run: false", "dry_run: true"))
    proposed = run("runbook", "draft", incident_id, "--propose", "--json", "--config", dry)
    assert proposed.exit_code == 0, proposed.output
    out = json.loads(proposed.stdout)
    assert out["written"] is False
    assert out["action"]["params"]["path"] == "runbooks/rollback-bad-deploy-checkout.yaml"
    assert "+name: rollback-bad-deploy-checkout" in out["diff"]


def test_an_unknown_incident_is_one_clear_line(tmp_path: Path) -> None:
    config, _ = incident_in(tmp_path)
    missing = run("runbook", "draft", "nope", "--config", config)
    assert missing.exit_code != 0
    assert "nope" in missing.output
    assert "Traceback" not in missing.output
