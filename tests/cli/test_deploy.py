"""``nightowl deploy assess`` through Typer's runner: the diff read from a real local git
repository and CI's reports from files; JSON on stdout; clear errors for a bad repository or a
report that is not one; audited as the CLI's identity."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from nightowl.app.records import Records
from nightowl.cli.main import app
from nightowl.settings import load_settings
from tests.cli.test_cli import CLEAN_ENV


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "nightowl.yaml"
    path.write_text(
        yaml.safe_dump({"data_dir": str(tmp_path / "data"), "cli": {"default_role": "responder"}})
    )
    return path


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.org")
    git(repo, "config", "user.name", "ci")
    (repo / "README.md").write_text("# shop\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "migrations").mkdir()
    (repo / "migrations" / "0002_orders.sql").write_text("ALTER TABLE o ADD x int;\n" * 30)
    (repo / "pool.yaml").write_text("max: 40\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second")
    return repo


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=CLEAN_ENV)


def test_assess_reads_the_diff_from_git_and_the_reports_from_files(
    config: Path, repo: Path, tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites tests="5" failures="0" errors="0" skipped="0"/>')
    result = run(
        "deploy", "assess", "--service", "checkout", "--version", "v3", "--repo", repo,
        "--junit", junit, "--at", "2026-11-20T03:05:00Z", "--config", config, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    got = {r["factor"]: r for r in out["reasons"]}
    assert got["change size"]["evidence"] == {"lines": 31, "files": 2, "source": "git"}
    assert got["change kinds"]["points"] == 25  # migration 15 + config 10
    assert got["tests"]["summary"] == "all 5 tests pass"
    assert out["recommendation"] == "caution"  # 5 + 25
    assert out["score"] == 30
    records = Records.open(load_settings(config=config))
    try:
        audited = [r for r in records.audit_records() if r.kind == "deploy.assess"]
    finally:
        records.close()
    assert audited[0].data["points"]["change kinds"] == 25
    assert audited[0].data["via"] == "cli"


def test_assess_prints_the_reasons_as_a_table(config: Path, repo: Path) -> None:
    result = run("deploy", "assess", "--service", "checkout", "--version", "v3", "--repo", repo,
                 "--config", config)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "caution" in result.stdout
    assert "schema migration (1)" in result.stdout


def test_assess_says_what_is_wrong(config: Path, tmp_path: Path) -> None:
    result = run("deploy", "assess", "--service", "checkout", "--version", "v3",
                 "--repo", tmp_path, "--config", config)  # fmt: skip
    assert result.exit_code == 1
    assert "give --repo a git checkout" in result.output
    bad = tmp_path / "cov.xml"
    bad.write_text("<testsuite/>")
    result = run("deploy", "assess", "--service", "checkout", "--version", "v3",
                 "--coverage", bad, "--config", config)  # fmt: skip
    assert result.exit_code == 1
    assert "Cobertura report's root is <coverage" in result.output
    assert "Traceback" not in result.output
