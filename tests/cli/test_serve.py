"""``nightowl serve`` as a real process: the startup summary it prints, and the loud warnings when
it has nothing to read, no one to tell and no webhook token (it serves all the same)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from nightowl_lab.harness.ports import free_port


def serve_output(tmp_path: Path, *args: str) -> tuple[str, str]:
    """Start ``nightowl serve`` on a free port, wait until it listens, stop it; its output."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIGHTOWL_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "nightowl.cli", "serve", "--port", str(port), *args],
        env=env | {"XDG_DATA_HOME": str(tmp_path), "COLUMNS": "400"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "nightowl serve did not listen within 60 s"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    return out, err


def test_serve_with_nothing_configured_says_so_loudly(tmp_path: Path) -> None:
    out, err = serve_output(tmp_path)

    assert "connectors: metrics: none; logs: none; deploys: recorded; cluster: none" in out
    assert "autonomy: suggest; dry-run: on" in out
    assert f"store: sqlite:///{tmp_path}/nightowl/nightowl.sqlite" in out
    assert "WARNING: no metrics source configured" in err
    assert "no data sources configured" in err
    assert "WARNING: no notifier configured" in err
    assert "WARNING: no webhook token configured" in err
