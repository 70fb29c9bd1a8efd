"""``nightowl bench nab``: JSON figures, a readable summary, and exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from nightowl_lab.cli.bench import bench_app
from typer.testing import CliRunner

runner = CliRunner()


def test_json_output_has_the_three_profiles_and_the_speed(nab_dir: Path) -> None:
    result = runner.invoke(bench_app, ["nab", "--nab-dir", str(nab_dir), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout.strip().splitlines()[-1])
    assert document["series"] == 3
    assert document["points_per_second"] > 0
    for profile in ("standard", "reward_low_FP_rate", "reward_low_FN_rate"):
        assert 0.0 < document[profile] <= 100.0


def test_perfect_detector_scores_100_through_the_command(nab_dir: Path) -> None:
    args = ["nab", "--nab-dir", str(nab_dir), "--detector", "perfect", "--json"]
    result = runner.invoke(bench_app, args)
    assert json.loads(result.stdout.strip().splitlines()[-1])["standard"] == 100.0


def test_summary_names_every_profile(nab_dir: Path) -> None:
    result = runner.invoke(bench_app, ["nab", "--nab-dir", str(nab_dir)])
    assert result.exit_code == 0, result.output
    for label in ("leave-one-category-out", "standard", "low FP", "low FN", "points/s", "other"):
        assert label in result.stdout


def test_a_bad_directory_exits_2_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(bench_app, ["nab", "--nab-dir", str(tmp_path / "nowhere"), "--json"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_an_unknown_detector_exits_2(nab_dir: Path) -> None:
    result = runner.invoke(bench_app, ["nab", "--nab-dir", str(nab_dir), "--detector", "oracle"])
    assert result.exit_code == 2
    assert "unknown detector" in result.output
