"""A throwaway MLflow tracking server with its model registry on loopback, for tests that need
the real thing::

    with MLflowServer() as server:
        version = server.register("churn", metrics={"auc": 0.91})
        ...  # read and write server.url with nightowl's mlflow connector and driver

The server is ``mlflow server`` from PyPI installed in its own environment (``.venv/mlflow``,
which ``make .venv/.test`` creates: MLflow's pins would fight nightowl's), with a SQLite backend
and artifacts in a fresh temporary directory, listening on a free high port of 127.0.0.1; it is
stopped by PID (SIGTERM, then SIGKILL) before its directory is deleted. The helpers that seed it
talk to its REST API only. Nothing here imports pytest; wrap the server in fixtures.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from nightowl_lab.harness.ports import free_port

API = "/api/2.0/mlflow"


class MLflowServerError(RuntimeError):
    """The server could not be found or started; the message says what to do."""


def mlflow_binary() -> Path:
    """``.venv/mlflow/bin/mlflow`` beside the running interpreter's environment."""
    path = Path(sys.prefix) / "mlflow" / "bin" / "mlflow"
    if not path.exists():
        raise MLflowServerError(f"{path} is missing: run `make .venv/.test` (it installs MLflow)")
    return path


class MLflowServer:
    """One ``mlflow server`` process and its SQLite registry."""

    def __init__(self, *, start_timeout: float = 120.0) -> None:
        self.start_timeout = start_timeout
        self.port = 0
        self.directory: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = mlflow_binary()
        self.directory = Path(tempfile.mkdtemp(prefix="nightowl-mlflow-"))
        self.port = free_port()
        command = [
            str(binary),
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--backend-store-uri",
            f"sqlite:///{self.directory / 'mlflow.db'}",
            "--default-artifact-root",
            str(self.directory / "artifacts"),
            "--workers",
            "1",
        ]
        with (self.directory / "server.log").open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.directory,
                start_new_session=True,  # its workers share the group, stopped with it
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise MLflowServerError(
                    f"mlflow exited with {self.process.returncode}: {self.output()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/health", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.2)
        raise MLflowServerError(f"mlflow not ready within {self.start_timeout}s: {self.output()}")

    def output(self) -> str:
        if self.directory is None or not (self.directory / "server.log").exists():
            return ""
        return (self.directory / "server.log").read_text(errors="replace")[-2000:]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.request(method, self.url + API + path, json=body, timeout=10.0)
        response.raise_for_status()
        return response.json()

    def register(self, model: str, *, metrics: dict[str, float] | None = None) -> int:
        """A new version of ``model`` (created on first use) from a fresh run with ``metrics``."""
        run = self.call("POST", "/runs/create", {"experiment_id": "0"})["run"]["info"]["run_id"]
        for key, value in (metrics or {}).items():
            self.call(
                "POST",
                "/runs/log-metric",
                {"run_id": run, "key": key, "value": value, "timestamp": int(time.time() * 1000)},
            )
        with contextlib.suppress(httpx.HTTPStatusError):  # already registered
            self.call("POST", "/registered-models/create", {"name": model})
        body = {"name": model, "source": f"runs:/{run}/model", "run_id": run}
        return int(self.call("POST", "/model-versions/create", body)["model_version"]["version"])

    def alias(self, model: str, alias: str, version: int) -> None:
        self.call(
            "POST",
            "/registered-models/alias",
            {"name": model, "alias": alias, "version": str(version)},
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            group = self.process.pid  # the session this server leads: it and its workers only
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
                self.process.wait()
        self.process = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> MLflowServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
