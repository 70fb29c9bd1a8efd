"""The sandbox's process supervisor: keeps one replica's process running, as a kubelet would.

``python -m nightowl_lab.sandbox.services.supervisor --status FILE -- python -m ...app ...``

Runs the command; when it exits, records the restart and starts it again after a back-off that
doubles from ``BACKOFF`` to ``MAX_BACKOFF`` seconds (reset once it has run ``STABLE`` seconds).
While it waits the container is ``waiting`` with reason ``CrashLoopBackOff`` (after a second
quick crash) and a ``BackOff`` event is recorded. The status file (JSON, rewritten atomically)
holds the restart count, state, reason, last exit code and time, and the recent events; the
sandbox's ClusterSource reads it. SIGTERM stops the command and then the supervisor.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BACKOFF = 1.0
MAX_BACKOFF = 8.0
STABLE = 10.0
EVENTS = 50


def _now() -> str:
    return datetime.now(UTC).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--status", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    argv = args.command[1:] if args.command[:1] == ["--"] else args.command
    path = Path(args.status)
    status: dict[str, Any] = {
        "restarts": 0,
        "state": "waiting",
        "reason": "ContainerCreating",
        "started_at": None,
        "last_exit_code": None,
        "last_terminated_at": None,
        "events": [],
    }
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def write() -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        tmp.replace(path)

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    backoff = BACKOFF
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        status.update(state="running", reason=None, started_at=_now())
        write()
        while True:
            try:
                code = child.wait()
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries for us
                continue
        if stopping:
            break
        ran = time.monotonic() - started
        if ran >= STABLE:
            backoff = BACKOFF
        status["restarts"] += 1
        status.update(
            state="waiting",
            reason="CrashLoopBackOff" if ran < STABLE and status["restarts"] >= 2 else "Error",
            last_exit_code=code,
            last_terminated_at=_now(),
        )
        status["events"] = [
            *status["events"][-(EVENTS - 1) :],
            {
                "at": _now(),
                "reason": "BackOff",
                "message": f"Back-off {backoff:g}s restarting failed container "
                f"(exited with code {code})",
            },
        ]
        write()
        deadline = time.monotonic() + backoff
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.05)
        backoff = min(MAX_BACKOFF, backoff * 2)
    status.update(state="terminated", reason="Completed")
    write()
    if child is not None and child.poll() is None:
        try:
            child.wait(timeout=8.0)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    sys.exit(0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
