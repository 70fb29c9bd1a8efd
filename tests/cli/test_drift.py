"""``nightowl drift check`` on files: a plan JSON in Terraform's documented format and a real git
repository; in dry run (the default) it prints the findings, the pull request it would open and
its diff, and writes nothing to the repository."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from nightowl.cli.main import app as cli
from tests.cli.test_cli import CLEAN_ENV
from tests.watchers.plans import (
    LB_TF,
    infra_repo,
    lb_drift,
    refresh_only_plan,
    sg_drift,
    write_plan,
)

GITHUB = {"name": "iac", "kind": "github", "repo": "acme/infra", "token": "t", "paths": [""]}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=CLEAN_ENV | {"NIGHTOWL_TOKEN": None})


def config_in(tmp_path: Path) -> Path:
    raw = {
        "data_dir": str(tmp_path / "data"),
        "cli": {"default_role": "responder"},
        "policy": {"autonomy": "act"},
        "actions": {"drivers": [GITHUB], "routes": {"drift": "iac"}},  # dry_run: the default
    }
    path = tmp_path / "nightowl.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_a_dry_run_check_shows_the_pull_request_it_would_open(tmp_path: Path) -> None:
    repo = infra_repo(tmp_path)
    plan = write_plan(tmp_path, refresh_only_plan(lb_drift(), sg_drift()))
    shown = run(
        "drift", "check", "--plan", plan, "--repo", repo, "--config", config_in(tmp_path), "--json"
    )
    assert shown.exit_code == 0, shown.output
    done = json.loads(shown.stdout)
    lb, sg = done["findings"]
    assert lb["proposed"]["action"]["params"]["path"] == "lb.tf"
    assert "+  priority     = 90 # below the catch-all" in lb["proposed"]["diff"]
    assert sg["proposed"]["plan"] == "terraform apply -target=aws_security_group.db"
    # the GitHub driver's dry run cannot reach GitHub from here: the gate sends it to a human
    assert "approv" in done["routed"][0]
    assert "notified" in done["routed"][1]  # a revert is a plan for a human, paged
    assert (repo / "lb.tf").read_text() == LB_TF


def test_the_table_shows_the_diff_and_a_bad_plan_exits_1(tmp_path: Path) -> None:
    repo = infra_repo(tmp_path)
    plan = write_plan(tmp_path, refresh_only_plan(lb_drift()))
    shown = run("drift", "check", "--plan", plan, "--repo", repo, "--config", config_in(tmp_path))
    assert shown.exit_code == 0, shown.output
    assert "aws_lb_listener_rule.web" in shown.output
    assert "+  priority" in shown.output
    (tmp_path / "bad.json").write_text("{}")
    bad = run(
        "drift",
        "check",
        "--plan",
        tmp_path / "bad.json",
        "--repo",
        repo,
        "--config",
        config_in(tmp_path),
    )
    assert bad.exit_code == 1
    assert "format_version" in bad.output
