"""``nightowl bench rca``: JSON figures, a readable summary, and exit code 2 on a bad folder."""

from __future__ import annotations

import json
from pathlib import Path

from nightowl_lab.cli.bench import bench_app
from typer.testing import CliRunner

runner = CliRunner()


def test_json_output_has_the_documented_keys(petshop_dir: Path) -> None:
    args = ["rca", "--format", "petshop", "--data", str(petshop_dir), "--json"]
    result = runner.invoke(bench_app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"cases", "AC@1", "AC@3", "Avg@5", "per_group"} <= set(document)
    assert document["cases"] == 28
    assert set(document["per_group"]["low_traffic"]) >= {"cases", "AC@1", "AC@3"}


def test_the_summary_lists_every_group(petshop_dir: Path) -> None:
    result = runner.invoke(bench_app, ["rca", "--format", "petshop", "--data", str(petshop_dir)])
    assert result.exit_code == 0, result.output
    for group in ("low_traffic", "high_traffic", "overall"):
        assert group in result.stdout


def test_a_bad_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for fmt in ("nezha", "petshop"):
        result = runner.invoke(bench_app, ["rca", "--format", fmt, "--data", str(tmp_path)])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert "expected" in result.output or "not a" in result.output


def test_a_missing_folder_is_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = runner.invoke(bench_app, ["rca", "--format", "nezha", "--data", str(missing)])
    assert result.exit_code == 2
