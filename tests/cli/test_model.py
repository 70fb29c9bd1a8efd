"""``nightowl model drift`` on CSV files: JSON on stdout naming each feature with its test,
statistic, p-values and verdict; exit 1 when something drifted; a clear error for a bad file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nightowl.cli.main import app as cli
from tests.cli.test_cli import CLEAN_ENV
from tests.mlops.windows import window, write


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env=CLEAN_ENV)
    return result.exit_code, result.stdout, result.stderr


def test_unit_change_drifts_in_json(tmp_path: Path) -> None:
    cur = window(2)
    cur["height_cm"] = [round(v / 2.54, 2) for v in cur["height_cm"]]  # type: ignore[operator]
    ref_file, cur_file = write(tmp_path / "r.csv", window(1)), write(tmp_path / "c.csv", cur)
    code, out, _ = run("model", "drift", "--reference", ref_file, "--current", cur_file, "--json")
    assert code == 1
    report = json.loads(out)
    by_name = {f["name"]: f for f in report["features"]}
    assert set(by_name) == {"age", "income", "height_cm", "plan", "score"}
    assert [n for n, f in by_name.items() if f["drifted"]] == ["height_cm"]
    height = by_name["height_cm"]
    assert (height["test"], height["cause"]) == ("ks", "unit_change")
    assert height["adjusted_p"] < 0.05 <= by_name["age"]["adjusted_p"]
    assert by_name["plan"]["test"] == "chi2"
    assert by_name["plan"]["distance_name"] == "js"


def test_clean_windows_exit_zero_with_a_table(tmp_path: Path) -> None:
    ref_file, cur_file = write(tmp_path / "r.csv", window(1)), write(tmp_path / "c.csv", window(2))
    code, out, _ = run(
        "model", "drift", "--reference", ref_file, "--current", cur_file, "--correction", "holm"
    )
    assert code == 0
    assert "0 of 5 features drifted (holm" in out


def test_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    code, _, err = run(
        "model", "drift", "--reference", tmp_path / "no.csv", "--current", tmp_path / "no.csv"
    )
    assert code == 1
    assert "no such file" in err
    assert "Traceback" not in err
