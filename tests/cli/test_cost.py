"""``nightowl cost diff``: a plan priced by the settings' price table, or by Infracost's
documented ``diff --format json`` output (no Infracost binary or API can run here)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from nightowl.cli.main import app as cli
from tests.cli.test_cli import CLEAN_ENV

PLAN = {
    "format_version": "1.2",
    "resource_changes": [
        {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
         "change": {"actions": ["update"], "before": {"instance_type": "m5.large"},
                    "after": {"instance_type": "m5.xlarge"}}},
    ],
}  # fmt: skip
INFRACOST = {
    "version": "0.2",
    "currency": "USD",
    "projects": [
        {
            "name": "acme/infra/prod",
            "diff": {
                "resources": [
                    {"name": "aws_instance.web", "resourceType": "aws_instance",
                     "monthlyCost": "70.08", "costComponents": []},
                    {"name": "aws_lambda_function.hook", "monthlyCost": None},
                ],
                "totalMonthlyCost": "70.08",
            },
        }
    ],
    "totalMonthlyCost": "1234.5",
    "diffTotalMonthlyCost": "70.08",
}  # fmt: skip


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=CLEAN_ENV | {"NIGHTOWL_TOKEN": None})


def files(tmp_path: Path) -> tuple[Path, Path]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    config = tmp_path / "nightowl.yaml"
    raw = {
        "data_dir": str(tmp_path / "d"),
        "cost": {"instance_types": {"m5.large": 0.096, "m5.xlarge": 0.192}},
    }
    config.write_text(yaml.safe_dump(raw))
    return plan, config


def test_the_price_table_prices_the_plan(tmp_path: Path) -> None:
    plan, config = files(tmp_path)
    shown = run("cost", "diff", "--plan", plan, "--config", config, "--json")
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    assert body["total"] == 70.08
    assert body["resources"][0]["priced_by"] == "instance_types"
    table = run("cost", "diff", "--plan", plan, "--config", config)
    assert "+$70.08" in table.output


def test_infracost_output_is_read_per_resource(tmp_path: Path) -> None:
    plan, config = files(tmp_path)
    saved = tmp_path / "infracost.json"
    saved.write_text(json.dumps(INFRACOST))
    shown = run("cost", "diff", "--plan", plan, "--infracost", saved, "--config", config, "--json")
    body = json.loads(shown.stdout)
    assert (body["source"], body["currency"], body["total"]) == ("infracost", "$", 70.08)
    assert body["unpriced"] == ["aws_lambda_function.hook"]
    saved.write_text("{}")
    bad = run("cost", "diff", "--plan", plan, "--infracost", saved, "--config", config)
    assert bad.exit_code == 1
    assert "no projects" in bad.output


def test_runtime_cost_needs_an_opencost_connector(tmp_path: Path) -> None:
    _, config = files(tmp_path)
    shown = run("cost", "runtime", "--config", config)
    assert shown.exit_code == 1
    assert "kind opencost" in shown.output


def test_pr_reviews_the_pull_request_through_the_gate(tmp_path: Path) -> None:
    plan, config = files(tmp_path)
    raw = yaml.safe_load(config.read_text())
    github = {
        "name": "iac",
        "kind": "github",
        "repo": "acme/infra",
        "token": "t",
        "api_url": "http://127.0.0.1:9",
    }  # fmt: skip  (no GitHub here: the dry run fails)
    raw |= {"cli": {"default_role": "responder"}, "policy": {"autonomy": "act"}}
    raw |= {"actions": {"drivers": [github], "routes": {"infra": "iac"}}}
    config.write_text(yaml.safe_dump(raw))
    shown = run("cost", "diff", "--plan", plan, "--pr", "7", "--config", config, "--json")
    assert shown.exit_code == 0, shown.output
    done = json.loads(shown.stdout)
    (found,) = done["findings"]
    assert found["watcher"] == "cost-pr-7"
    assert found["monthly_cost_delta"] == 70.08
    assert found["proposed"]["action"]["kind"] == "pull_request_comment"
    assert "+$70.08/month" in found["proposed"]["action"]["params"]["body"]
    assert len(done["routed"]) == 1  # through the gate: its outcome, never a silent write
    assert run("cost", "diff", "--plan", plan, "--pr", "0", "--config", config).exit_code == 2
