"""Run ``nightowl serve`` as a real child process on a free loopback port (for tests and benches).

The process is started with the current interpreter, waited for until ``/healthz`` answers, and
stopped by PID: gracefully with ``stop()``, or with SIGKILL by ``kill()`` to simulate a crash.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from nightowl_lab.harness.ports import free_port


class ServerProcess:
    """``nightowl serve`` (or the chaos runner pausing after a stage) as a child process on a
    free loopback port, its output appended to ``log``. A context manager: stopped on exit.
    """

    def __init__(
        self,
        config: Path,
        *,
        port: int | None = None,
        log: Path | None = None,
        pause_after: str | None = None,
        role: str | None = None,
    ) -> None:
        """``pause_after``: hold every workflow after this stage (see ``chaos.py``); ``role``:
        ``serve --role`` (api, worker, all)."""
        self.config = config
        self.pause_after = pause_after
        self.role = role
        self.port = port or free_port()
        self.log = log or config.with_suffix(f".{self.port}.log")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> ServerProcess:
        """Start the process and wait until ``/healthz`` answers; RuntimeError with its output
        when it exits, TimeoutError (after killing it) when it does not answer within ``timeout``
        seconds (generous: imports and migrations take a minute on a loaded CI machine).
        """
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    *(
                        ["nightowl.cli", "serve"]
                        if self.pause_after is None
                        else ["nightowl_lab.harness.chaos", "--pause-after", self.pause_after]
                    ),
                    "--config",
                    str(self.config),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    *(["--role", self.role] if self.role else []),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nightowl serve exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise TimeoutError(
            f"nightowl serve did not answer /healthz within {timeout}s:\n{self.output()}"
        )

    def output(self) -> str:
        """Everything the process wrote so far (empty before it started)."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait up to 15 s for a graceful exit, then kill."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        """Start the process, unless ``start`` (with a timeout of the caller's) already did."""
        running = self.process is not None and self.process.poll() is None
        return self if running else self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
