"""Prometheus and VictoriaMetrics (the same HTTP API): ``kind: prometheus`` / ``victoriametrics``.

Reads ``/api/v1/query`` and ``/api/v1/query_range``. A service's golden signals come from PromQL
templates, one per signal, where ``{service}`` is replaced by the (escaped) service name and
``{window}`` by ``rate_window``; the defaults follow the common conventions of instrumented HTTP
services (see DEFAULT_SIGNALS and docs/configuration.md). Points that are NaN or infinite (a quantile
over no traffic) are dropped.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import httpx
from pydantic import Field

from nightowl.connectors.base import Skew, parse_options
from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.domain import Series, SignalKind
from nightowl.settings import PluginConfig, Settings

DEFAULT_SIGNALS: dict[SignalKind, str] = {
    SignalKind.REQUEST_RATE: 'sum(rate(http_requests_total{service="{service}"}[{window}]))',
    # "or … * 0": a service that never returned a 5xx has no such series yet; its error ratio is 0,
    # not missing (a missing ratio would make a recovered service look unverifiable).
    SignalKind.ERROR_RATE: (
        '(sum(rate(http_requests_total{service="{service}",code=~"5.."}[{window}]))'
        ' or sum(rate(http_requests_total{service="{service}"}[{window}])) * 0)'
        ' / sum(rate(http_requests_total{service="{service}"}[{window}]))'
    ),
    SignalKind.LATENCY_P99: (
        "histogram_quantile(0.99, sum by (le) "
        '(rate(http_request_duration_seconds_bucket{service="{service}"}[{window}])))'
    ),
    SignalKind.MEMORY: 'sum(process_resident_memory_bytes{service="{service}"})',
    SignalKind.CPU: 'sum(rate(process_cpu_seconds_total{service="{service}"}[{window}]))',
}
"""request rate (req/s), error ratio (5xx / all), p99 latency (s), resident memory (bytes), CPU (cores)."""


class PrometheusConfig(HttpConfig):
    """``kind: prometheus`` or ``victoriametrics``."""

    signals: dict[SignalKind, str] = Field(
        default={}, description="PromQL per golden signal; unset signals use DEFAULT_SIGNALS."
    )
    rate_window: str = Field(default="5m", pattern=r"^\d+[smhd]$")


class Prometheus:
    """A Prometheus-compatible metrics backend. Stateless between calls; safe to share."""

    def __init__(
        self,
        name: str,
        config: PrometheusConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.http = HttpBackend(name, config, transport=transport)
        self.skew = Skew(name, config.clock_skew_seconds)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> Prometheus:
        """The connector for one ``connectors`` entry (its options validated as
        PrometheusConfig).
        """
        return cls(plugin.name, parse_options(PrometheusConfig, plugin))

    def template(self, signal: SignalKind) -> str:
        """The PromQL template of ``signal``: the configured one, else the default."""
        return self.config.signals.get(signal, DEFAULT_SIGNALS[signal])

    def signal_query(self, signal: SignalKind, service: str) -> str:
        """The PromQL for ``signal`` of ``service``: the template with the service name escaped
        for a label matcher and the rate window filled in.
        """
        escaped = service.replace("\\", "\\\\").replace('"', '\\"')
        query = self.template(signal).replace("{service}", escaped)
        return query.replace("{window}", self.config.rate_window)

    async def check(self) -> None:
        """Evaluate ``vector(1)``: proves the server answers queries."""
        now = datetime.now().astimezone()
        await self.query("vector(1)", now)

    async def query(self, query: str, at: datetime) -> list[Series]:
        """``GET /api/v1/query`` at ``at`` (shifted into the backend's clock)."""
        params = {"query": query, "time": _unix(self.skew.outbound(at))}
        data = await self._api("/api/v1/query", params)
        return self._series(data, "query")

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        """``GET /api/v1/query_range`` over [start, end] every ``step_seconds`` (at least 1 s)."""
        lo, hi = self.skew.window(start, end)
        params = {
            "query": query,
            "start": _unix(lo),
            "end": _unix(hi),
            "step": f"{max(1, step_seconds)}s",
        }
        data = await self._api("/api/v1/query_range", params)
        return self._series(data, "query_range")

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]:
        """Every golden signal with data for ``service``: the first series of each signal's
        query, relabelled with the signal and the service.
        """
        out: dict[SignalKind, Series] = {}
        for signal in SignalKind:
            found = await self.query_range(
                self.signal_query(signal, service), start, end, step_seconds
            )
            if found and found[0].values:
                first = found[0]
                out[signal] = first.model_copy(
                    update={"metric": signal.value, "labels": {**first.labels, "service": service}}
                )
        return out

    async def _api(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        body = await self.http.get_json(path, params)
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else str(body)[:200]
            raise self.http.error(
                f"{self.http.url}{path} refused {params['query']!r}: {error}", retryable=False
            )
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def _series(self, data: dict[str, Any], what: str) -> list[Series]:
        kind = data.get("resultType")
        result = data.get("result") or []
        if kind == "scalar":
            result = [{"metric": {}, "value": result}]
        elif kind not in ("matrix", "vector"):
            raise self.http.error(
                f"{self.http.url} answered {what} with result type {kind!r}; expected a vector "
                "or matrix",
                retryable=False,
            )
        series = []
        for item in result:
            points = item.get("values") or ([item["value"]] if "value" in item else [])
            pairs = [(float(t), float(v)) for t, v in points if math.isfinite(float(v))]
            labels = {str(k): str(v) for k, v in (item.get("metric") or {}).items()}
            series.append(
                Series(
                    metric=labels.get("__name__", "value"),
                    labels=labels,
                    timestamps=tuple(self.skew.inbound_seconds(t) for t, _ in pairs),
                    values=tuple(v for _, v in pairs),
                )
            )
        return series


def _unix(ts: datetime) -> str:
    return f"{ts.timestamp():.3f}"
