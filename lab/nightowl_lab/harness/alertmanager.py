"""Run a real Prometheus Alertmanager on a loopback port (Debian package ``prometheus-alertmanager``)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

from nightowl_lab.harness.ports import free_port

CONFIG = """\
route:
  receiver: blackhole
  group_by: [alertname, service]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: blackhole
"""


class AlertmanagerMissing(RuntimeError):
    """The Alertmanager binary is not installed; the message says which package to install."""

    pass


def alertmanager_binary() -> str:
    """The path of the installed Alertmanager binary (Debian's name first); AlertmanagerMissing
    if none.
    """
    for name in ("prometheus-alertmanager", "alertmanager"):
        if found := shutil.which(name):
            return found
    raise AlertmanagerMissing(
        "Alertmanager is not installed: apt-get install prometheus-alertmanager (the Debian package)"
    )


class AlertmanagerServer:
    """Started on ``start()`` in a temporary directory, clustering off; stopped by PID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="nightowl-am-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The Alertmanager's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> AlertmanagerServer:
        """Write the config and start Alertmanager on its port, waiting until ``/-/ready``
        answers; RuntimeError when it exits, TimeoutError when it is not ready within ``timeout``
        seconds.
        """
        config = self.directory / "alertmanager.yml"
        config.write_text(CONFIG)
        log = (self.directory / "alertmanager.log").open("wb")
        self.process = subprocess.Popen(
            [
                alertmanager_binary(),
                f"--config.file={config}",
                f"--storage.path={self.directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"alertmanager exited: {(self.directory / 'alertmanager.log').read_text()}"
                )
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError("alertmanager did not become ready")

    def stop(self) -> None:
        """Terminate the process (kill after 10 s) and remove its directory."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> AlertmanagerServer:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
