"""Grafana Loki: ``kind: loki``, reading ``GET /loki/api/v1/query_range``.

A LogQuery becomes LogQL: a stream selector on the service label (``{service="checkout"}``, or every
stream that has the label when no service is asked), a case-insensitive line filter for the text
(``|~ "(?i)timeout"``), and a label filter on the level label (``| level=~"(?i)error|warn"``).
``extra_selector`` adds matchers (``namespace="prod"``) to every query. A record's level is its
level label when present, else the first level word of the line. ``tail`` polls ``query_range``
(the tail endpoint is a websocket) every ``poll_seconds``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import Field

from nightowl.connectors.base import Skew, parse_options
from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.connectors.logparse import level_in_text, level_of
from nightowl.connectors.protocols import LogQuery
from nightowl.connectors.tailing import poll_tail
from nightowl.domain import LogLevel, LogRecord
from nightowl.settings import PluginConfig, Settings

LEVEL_WORDS: dict[LogLevel, str] = {
    LogLevel.DEBUG: "debug|trace",
    LogLevel.INFO: "info|notice",
    LogLevel.WARN: "warn|warning",
    LogLevel.ERROR: "error|err",
    LogLevel.FATAL: "fatal|critical|crit|panic",
}


class LokiConfig(HttpConfig):
    """``kind: loki``."""

    service_label: str = "service"
    level_label: str = "level"
    extra_selector: str = Field(default="", description='Matchers added to every selector: a="b".')
    tenant: str | None = Field(default=None, description="Sent as X-Scope-OrgID (multi-tenant).")
    poll_seconds: float = Field(default=2.0, gt=0)


class Loki:
    """A Loki log backend. Stateless between calls; safe to share."""

    def __init__(
        self,
        name: str,
        config: LokiConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.config = config
        headers = {"X-Scope-OrgID": config.tenant} if config.tenant else None
        self.http = HttpBackend(name, config, transport=transport, headers=headers)
        self.skew = Skew(name, config.clock_skew_seconds)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> Loki:
        """The connector of one ``connectors`` entry (its options validated as LokiConfig)."""
        return cls(plugin.name, parse_options(LokiConfig, plugin))

    def logql(self, query: LogQuery) -> str:
        """The LogQL for ``query``: a stream selector on the service label (any service when
        None), a case-insensitive line filter for the text, and a label filter for the levels.
        """
        label = self.config.service_label
        if query.service is not None:
            matchers = [f"{label}={_quote(query.service)}"]
        else:
            matchers = [f'{label}=~".+"']
        if self.config.extra_selector:
            matchers.append(self.config.extra_selector)
        logql = "{" + ", ".join(matchers) + "}"
        if query.text:
            logql += f" |~ {_quote('(?i)' + re.escape(query.text))}"
        if query.levels:
            words = "|".join(LEVEL_WORDS[level] for level in query.levels)
            logql += f" | {self.config.level_label}=~{_quote(f'(?i)^({words})$')}"
        return logql

    async def check(self) -> None:
        """Search the last five minutes for one line: proves Loki answers queries."""
        end = datetime.now(UTC)
        await self.search(LogQuery(start=end - timedelta(minutes=5), end=end, limit=1))

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """``query_range`` backwards over the window: newest first, at most the limit;
        ConnectorError when Loki answers without a streams result.
        """
        start, end = self.skew.window(query.start, query.end)
        params = {
            "query": self.logql(query),
            "start": str(_ns(start)),
            "end": str(_ns(end)),
            "limit": str(query.limit),
            "direction": "backward",
        }
        body = await self.http.get_json("/loki/api/v1/query_range", params)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or data.get("resultType") != "streams":
            raise self.http.error(
                f"{self.http.url}/loki/api/v1/query_range answered without a streams result: "
                f"{str(body)[:200]}",
                retryable=False,
            )
        records = [r for stream in data.get("result") or [] for r in self._records(stream)]
        records.sort(key=lambda r: r.timestamp, reverse=True)
        return records[: query.limit]

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """Lines as they come, by polling ``search`` every ``poll_seconds``."""
        async for record in poll_tail(self.search, query, interval=self.config.poll_seconds):
            yield record

    def _records(self, stream: dict[str, Any]) -> list[LogRecord]:
        labels = {str(k): str(v) for k, v in (stream.get("stream") or {}).items()}
        service = labels.get(self.config.service_label, "unknown")
        level = level_of(labels.get(self.config.level_label))
        out = []
        for ns, line in stream.get("values") or []:
            at = datetime.fromtimestamp(int(ns) / 1e9, UTC)
            out.append(
                LogRecord(
                    timestamp=self.skew.inbound(at),
                    service=service,
                    level=level or level_in_text(line),
                    message=line,
                    labels=labels,
                )
            )
        return out


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ns(ts: datetime) -> int:
    return int(ts.timestamp() * 1_000_000) * 1000
