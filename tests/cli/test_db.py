"""``nightowl db migrate|current|heads`` through Typer's runner, on a real SQLite data dir: current
says an unmigrated store is behind (exit 1), migrate brings it to the shipped heads once, and a
second migrate changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from nightowl.cli.main import app as cli
from nightowl.store.revisions import shipped_heads


def run(data: Path, *args: str) -> Result:
    env = {"NIGHTOWL_CONFIG": None, "NIGHTOWL_DATA_DIR": None, "COLUMNS": "400"}
    return CliRunner().invoke(cli, ["db", *args, "--data-dir", str(data)], env=env)


def test_current_then_migrate_then_migrate_again(tmp_path: Path) -> None:
    before = run(tmp_path, "current", "--json")
    assert before.exit_code == 1
    assert json.loads(before.stdout) == {
        "url": f"sqlite:///{tmp_path / 'nightowl.sqlite'}",
        "current": [],
        "heads": shipped_heads(),
        "up_to_date": False,
        "pending": shipped_heads(),
    }

    first = run(tmp_path, "migrate", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["migrated"] is True
    assert json.loads(first.stdout)["current"] == shipped_heads()

    again = run(tmp_path, "migrate", "--json")
    assert json.loads(again.stdout) | {"migrated": False} == json.loads(again.stdout)
    after = run(tmp_path, "current")
    assert after.exit_code == 0
    assert "up to date" in after.stdout


def test_heads_lists_the_shipped_revisions() -> None:
    result = CliRunner().invoke(cli, ["db", "heads", "--json"])
    assert json.loads(result.stdout) == {"heads": shipped_heads()}
    assert len(shipped_heads()) > 1  # independent branches: several heads


def test_a_bad_url_is_one_clear_line(tmp_path: Path) -> None:
    cfg = tmp_path / "nightowl.yaml"
    cfg.write_text("store:\n  url: mysql://x@y/z\n")
    env = {"NIGHTOWL_CONFIG": None, "NIGHTOWL_DATA_DIR": None}
    result = CliRunner().invoke(cli, ["db", "migrate", "--config", str(cfg)], env=env)
    assert result.exit_code == 2
    assert "unsupported database 'mysql'" in result.output
    assert "Traceback" not in result.output
