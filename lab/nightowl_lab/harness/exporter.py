"""A tiny HTTP exporter of known golden-signal metrics, for tests against a real Prometheus.

It serves, in a registry of its own, the metrics nightowl's default PromQL templates read, labelled
with ``service``: ``http_requests_total{code}`` (a fixed share of 5xx answers),
``http_request_duration_seconds`` (a histogram where every request takes ``latency_seconds``),
``process_resident_memory_bytes`` (a constant) and ``process_cpu_seconds_total``. A background
thread adds traffic every 100 ms until ``stop()``.
"""

from __future__ import annotations

import threading
from types import TracebackType

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from nightowl_lab.harness.ports import free_port


class ServiceExporter:
    """Serves one service's metrics on a free loopback port; a context manager."""

    def __init__(
        self,
        service: str = "checkout",
        *,
        requests_per_tick: int = 10,
        errors_per_tick: int = 1,
        latency_seconds: float = 0.3,
        memory_bytes: float = 123_456_789,
    ) -> None:
        self.service = service
        self.requests_per_tick = requests_per_tick
        self.errors_per_tick = errors_per_tick
        self.latency_seconds = latency_seconds
        self.memory_bytes = memory_bytes
        self.port = 0
        self._stop = threading.Event()
        self._server: object | None = None
        self._ticker: threading.Thread | None = None
        registry = CollectorRegistry()
        self.registry = registry
        self._requests = Counter(
            "http_requests", "Requests served.", ["service", "code"], registry=registry
        )
        self._latency = Histogram(
            "http_request_duration_seconds", "Request latency.", ["service"], registry=registry
        )
        self._memory = Gauge(
            "process_resident_memory_bytes", "Resident memory.", ["service"], registry=registry
        )
        self._cpu = Counter("process_cpu_seconds", "CPU time.", ["service"], registry=registry)

    @property
    def address(self) -> str:
        """``host:port``, as a scrape target."""
        return f"127.0.0.1:{self.port}"

    def tick(self) -> None:
        """Advance the exported counters by one tick of the configured traffic, errors and
        latency.
        """
        ok = self.requests_per_tick - self.errors_per_tick
        self._requests.labels(service=self.service, code="200").inc(ok)
        self._requests.labels(service=self.service, code="500").inc(self.errors_per_tick)
        for _ in range(self.requests_per_tick):
            self._latency.labels(service=self.service).observe(self.latency_seconds)
        self._cpu.labels(service=self.service).inc(0.05)
        self._memory.labels(service=self.service).set(self.memory_bytes)

    def start(self) -> ServiceExporter:
        """Serve the metrics on a free loopback port and tick them in a daemon thread; the
        exporter.
        """
        self.tick()
        self.port = free_port()
        self._server, _thread = start_http_server(
            self.port, addr="127.0.0.1", registry=self.registry
        )
        self._ticker = threading.Thread(target=self._run, name="exporter-ticker", daemon=True)
        self._ticker.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.tick()

    def stop(self) -> None:
        """Stop ticking and serving."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        shutdown = getattr(self._server, "shutdown", None)
        if shutdown is not None:
            shutdown()
        close = getattr(self._server, "server_close", None)
        if close is not None:
            close()

    def __enter__(self) -> ServiceExporter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
