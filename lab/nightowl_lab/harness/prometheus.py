"""Throwaway Prometheus and VictoriaMetrics servers on loopback, for tests that need the real thing.

::

    with ServiceExporter(service="checkout") as exporter, \\
            PrometheusServer(scrape=[exporter.address]) as prom:
        prom.wait_for('http_requests_total{service="checkout"}')
        ...  # read prom.url with nightowl's prometheus connector

Each server lives in a fresh temporary directory (configuration and storage), listens on a free high
port of 127.0.0.1, scrapes the given targets every second, and is stopped by PID (SIGTERM, then
SIGKILL) before its directory is deleted. Needs the Debian packages ``prometheus`` and
``victoria-metrics``. Nothing here imports pytest; wrap the servers in fixtures.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

import httpx

from nightowl_lab.harness.ports import free_port


class MetricsServerError(RuntimeError):
    """The test server could not be found or started; the message says what to do."""


def find_binary(name: str, package: str) -> Path:
    """The server binary on PATH; MetricsServerError naming the Debian package otherwise."""
    found = shutil.which(name)
    if found is None:
        raise MetricsServerError(
            f"{name} not found on PATH; install the Debian package `{package}` "
            f"(apt-get install {package}, or scripts/install-services.sh)"
        )
    return Path(found)


def scrape_config(
    targets: Sequence[str], interval_seconds: int = 1, rules: Sequence[Path] = ()
) -> str:
    """A Prometheus scrape configuration (also read by VictoriaMetrics) for ``host:port`` targets;
    ``rules``: rule files, evaluated as often as the targets are scraped."""
    listed = ", ".join(f'"{t}"' for t in targets)
    common = (
        f"global:\n  scrape_interval: {interval_seconds}s\n  scrape_timeout: {interval_seconds}s\n"
    )
    if rules:
        common += f"  evaluation_interval: {interval_seconds}s\n"
        common += "rule_files: [" + ", ".join(f'"{r}"' for r in rules) + "]\n"
    if not targets:
        return common
    return (
        common + "scrape_configs:\n"
        "  - job_name: nightowl-test\n"
        f"    static_configs: [{{targets: [{listed}]}}]\n"
    )


class _MetricsServer:
    """A server process in a temporary directory; subclasses give the command line."""

    binary = ""
    package = ""
    ready_path = ""

    def __init__(
        self, *, scrape: Sequence[str] = (), start_timeout: float = 30.0, rules: Sequence[Path] = ()
    ) -> None:
        """``rules``: alerting and recording rule files (Prometheus only)."""
        self.targets = tuple(scrape)
        self.rules = tuple(rules)
        self.start_timeout = start_timeout
        self.port = 0
        self.directory: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, binary: Path, directory: Path, config: Path) -> list[str]:
        raise NotImplementedError

    def prepare(self, directory: Path) -> None:
        """Fill the data directory before the server starts (nothing by default)."""

    def start(self) -> None:
        """Write the scrape config, start the server and wait until it is ready."""
        binary = find_binary(self.binary, self.package)
        self.directory = Path(tempfile.mkdtemp(prefix=f"nightowl-{self.binary}-"))
        config = self.directory / "scrape.yml"
        config.write_text(scrape_config(self.targets, rules=self.rules))
        self.port = free_port()
        self.prepare(self.directory)
        log = (self.directory / "server.log").open("wb")
        with log:
            self.process = subprocess.Popen(
                self.command(binary, self.directory, config),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.directory,
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
                raise MetricsServerError(
                    f"{self.binary} exited with {self.process.returncode}: {self.output()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + self.ready_path, timeout=1.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise MetricsServerError(
            f"{self.binary} not ready within {self.start_timeout}s: {self.output()}"
        )

    def wait_for(self, query: str, timeout: float = 120.0, at: datetime | None = None) -> None:
        """Wait until the instant ``query`` (at ``at``, default now) returns at least one series
        (scrapes or loaded samples have landed)."""
        params = {"query": query} | ({"time": str(at.timestamp())} if at else {})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(self.url + "/api/v1/query", params=params, timeout=2.0).json()
                if answer.get("data", {}).get("result"):
                    return
            time.sleep(0.25)
        raise MetricsServerError(f"{query!r} returned nothing within {timeout}s: {self.output()}")

    def output(self) -> str:
        if self.directory is None:
            return ""
        log = self.directory / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        """Stop the process by PID (SIGTERM, then SIGKILL) and delete its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> _MetricsServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class PrometheusServer(_MetricsServer):
    """Prometheus (Debian ``prometheus``) scraping ``scrape`` targets every second; with
    ``history`` (OpenMetrics text with timestamps, ending ``# EOF``) its TSDB is backfilled
    first by ``promtool tsdb create-blocks-from openmetrics`` — weeks of past samples, which
    scraping cannot produce.
    """

    binary = "prometheus"
    package = "prometheus"
    ready_path = "/-/ready"

    def __init__(
        self,
        *,
        scrape: Sequence[str] = (),
        start_timeout: float = 30.0,
        rules: Sequence[Path] = (),
        history: str = "",
    ) -> None:
        """``history``: OpenMetrics text backfilled by promtool before the server starts."""
        super().__init__(scrape=scrape, start_timeout=start_timeout, rules=rules)
        self.history = history

    def prepare(self, directory: Path) -> None:
        """Backfill ``history`` into the data directory (MetricsServerError if promtool fails)."""
        if not self.history:
            return
        source = directory / "history.om"
        source.write_text(self.history)
        promtool = find_binary("promtool", "prometheus")
        done = subprocess.run(
            [str(promtool), "tsdb", "create-blocks-from", "openmetrics",
             "--max-block-duration=24h", str(source), str(directory / "data")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise MetricsServerError(f"promtool could not backfill: {done.stderr[-2000:]}")

    def command(self, binary: Path, directory: Path, config: Path) -> list[str]:
        """The Prometheus command line: this config, a data directory, the loopback port."""
        return [
            str(binary),
            f"--config.file={config}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]


class VictoriaMetricsServer(_MetricsServer):
    """VictoriaMetrics single-node (Debian ``victoria-metrics``) scraping ``scrape`` targets."""

    binary = "victoria-metrics"
    package = "victoria-metrics"
    ready_path = "/health"

    def command(self, binary: Path, directory: Path, config: Path) -> list[str]:
        """The VictoriaMetrics command line: the same scrape config, a data directory, the
        loopback port, and no latency offset (tests read what was just scraped).
        """
        return [
            str(binary),
            f"-httpListenAddr=127.0.0.1:{self.port}",
            f"-storageDataPath={directory / 'data'}",
            f"-promscrape.config={config}",
            # By default the newest 30s are hidden from queries; tests read what was just scraped.
            "-search.latencyOffset=0s",
            "-search.disableCache",
            "-loggerLevel=WARN",
        ]

    def load(self, samples: str) -> None:
        """Import ``samples`` (Prometheus text lines, each ``name{labels} value unix_ms``) at their
        own timestamps, and flush them so the next query sees them."""
        httpx.post(
            self.url + "/api/v1/import/prometheus", content=samples, timeout=30
        ).raise_for_status()
        httpx.get(self.url + "/internal/force_flush", timeout=30).raise_for_status()
