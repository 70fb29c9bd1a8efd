"""``nightowl demo``: what it takes from ``--config``, and telling where it wrote."""

from __future__ import annotations

from pathlib import Path

import yaml
from nightowl_lab.cli.demo import demo_settings, where_it_wrote
from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.domain import Autonomy
from nightowl.settings import load_settings

CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_TOKEN": None,
    "COLUMNS": "400",
}


def test_the_demo_keeps_the_configs_policy_but_its_autonomy(tmp_path: Path) -> None:
    config = tmp_path / "nightowl.yaml"
    policy = {
        "autonomy": "observe",
        "criticality": {"checkout": "critical"},
        "tiers": {"restart": "high"},
        "freeze": [
            {"name": "new-year", "start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z"}
        ],
    }
    config.write_text(yaml.safe_dump({"policy": policy}))
    base = load_settings(config=config, data_dir=tmp_path)

    settings, _ = demo_settings(base)

    assert settings.policy.autonomy is Autonomy.ACT
    assert settings.policy.criticality == {"checkout": "critical"}
    assert settings.policy.tiers == base.policy.tiers
    assert settings.policy.freeze == base.policy.freeze
    assert settings.data_dir == tmp_path / "demo"


def test_the_demo_ends_with_the_command_that_lists_its_incidents(tmp_path: Path) -> None:
    data_dir = tmp_path / "my data"

    result = CliRunner().invoke(app, ["demo", "--data-dir", str(data_dir)], env=CLEAN_ENV)

    assert result.exit_code == 0, result.output
    assert f"nightowl incidents list --data-dir '{data_dir / 'demo'}'" in result.stdout
    listed = CliRunner().invoke(
        app, ["incidents", "list", "--data-dir", str(data_dir / "demo")], env=CLEAN_ENV
    )
    assert listed.exit_code == 0, listed.output
    assert "1 incident(s)" in listed.stdout


def test_the_closing_lines_name_the_data_dir() -> None:
    assert "/var/lib/nightowl/demo" in where_it_wrote(Path("/var/lib/nightowl/demo"))
