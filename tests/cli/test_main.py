"""The ``nightowl`` entry point: every command logs at ``$NIGHTOWL_LOG_LEVEL`` (else WARNING)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
