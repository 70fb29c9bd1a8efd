"""The ``nightowl`` command's start: ``--help`` and ``--version`` import none of the heavy
libraries (the import graph is checked, not a time), ``--version`` is the installed one, and every
command logs at ``$NIGHTOWL_LOG_LEVEL`` (else WARNING)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from typer.testing import CliRunner

from nightowl.cli.main import app

HEAVY = ("nightowl.app", "fastapi", "starlette", "dbos", "sqlalchemy", "numpy", "scipy", "httpx")


def imported_by(code: str) -> list[str]:
    """Which of HEAVY a fresh interpreter has imported after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert imported_by("import nightowl.cli.main") == []


def test_help_and_version_import_no_heavy_library() -> None:
    run = "from typer.testing import CliRunner\nfrom nightowl.cli.main import app\n"

    assert imported_by(run + "CliRunner().invoke(app, ['--help'])") == []
    assert imported_by(run + "CliRunner().invoke(app, ['--version'])") == []


def test_a_command_still_imports_what_it_needs() -> None:
    """The probe sees imports: running a store-backed command loads SQLAlchemy."""
    run = "from typer.testing import CliRunner\nfrom nightowl.cli.main import app\n"
    command = "CliRunner().invoke(app, ['incidents', 'list', '--data-dir', '/nonexistent/x'])"

    assert "sqlalchemy" in imported_by(run + command)


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])

    assert result.exit_code == 0
    assert result.output == f"nightowl {version('nightowl')}\n"


def config_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "nightowl.cli", "config", "check", "--data-dir", str(tmp_path)]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NIGHTOWL_")}
    return subprocess.run(
        argv, capture_output=True, text=True, env={**environ, **env}, timeout=120, check=False
    )


def test_nightowl_log_level_applies_to_every_command(tmp_path: Path) -> None:
    quiet = config_check(tmp_path / "quiet")
    chatty = config_check(tmp_path / "chatty", NIGHTOWL_LOG_LEVEL="info")

    assert quiet.returncode == chatty.returncode == 0, quiet.stderr + chatty.stderr
    assert " INFO " not in quiet.stderr
    assert " INFO alembic.runtime.migration: Running upgrade" in chatty.stderr
