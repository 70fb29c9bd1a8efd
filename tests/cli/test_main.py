"""The ``nightowl`` command's start: ``--help`` and ``--version`` import none of the heavy
libraries (the import graph is checked, not a time), and ``--version`` is the installed one."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

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
