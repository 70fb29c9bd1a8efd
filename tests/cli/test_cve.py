"""``nightowl cve scan`` on files: findings with the fixed version and the proposed change."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nightowl.cli.main import app

OSV = Path(__file__).parents[1] / "watchers" / "cve" / "data" / "osv"


def test_scan_json_lists_findings_with_fix_and_diff(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("requests==2.28.0\n")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text("      image: bitnami/nginx:1.25.2\n")
    result = CliRunner().invoke(
        app,
        [
            "cve",
            "scan",
            "--osv",
            str(OSV),
            "--lockfile",
            str(req),
            "--manifests",
            str(tmp_path / "k8s"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    found = {f["package"]["name"]: f for f in body["findings"]}
    assert set(found) == {"nginx", "requests"}
    assert found["nginx"]["fixed_version"] == "1.25.3"
    assert "+      image: bitnami/nginx:1.25.3" in found["nginx"]["change"]["diff"]
    assert found["requests"]["advisory"]["severity"] == "medium"
    assert body["records"] == 6


def test_scan_table_and_a_missing_directory_is_one_clear_line(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("pyyaml==5.3.1\n")
    shown = CliRunner().invoke(
        app,
        ["cve", "scan", "--osv", str(OSV), "--lockfile", str(req), "--diff"],
        env={"COLUMNS": "250"},
    )
    assert shown.exit_code == 0, shown.output
    assert "CVE-2020-14343" in shown.stdout
    assert "+pyyaml==5.4" in shown.stdout
    missing = CliRunner().invoke(
        app, ["cve", "scan", "--osv", str(tmp_path / "nope")], env={"COLUMNS": "250"}
    )
    assert missing.exit_code == 1
    assert "does not exist" in missing.output
    assert "Traceback" not in missing.output
    nothing = CliRunner().invoke(app, ["cve", "scan", "--lockfile", str(req)])
    assert nothing.exit_code == 1
    assert "give --osv DIR" in nothing.output
