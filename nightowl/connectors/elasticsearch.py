"""Elasticsearch and OpenSearch: ``kind: elasticsearch`` / ``opensearch``, reading ``_search``.

A LogQuery becomes one ``bool`` query: ``filter`` clauses for the time range (``range`` on the
timestamp field), the service (``term``) and the levels (``terms``, in lower and upper case), and a
``match_phrase`` on the message for the text; sorted newest first, ``size`` = the limit. Field names
default to the Elastic Common Schema (``@timestamp``, ``service.name``, ``log.level``, ``message``)
and are configurable. ``api_key`` is sent as ``Authorization: ApiKey``; ``username``/``password``
as basic auth. ``tail`` polls ``_search`` every ``poll_seconds``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import Field, SecretStr

from nightowl.connectors.base import Skew, parse_options
from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.connectors.logparse import level_in_text, level_of, parse_timestamp
from nightowl.connectors.protocols import LogQuery
from nightowl.connectors.tailing import poll_tail
from nightowl.domain import LogRecord
from nightowl.settings import PluginConfig, Settings


class ElasticsearchConfig(HttpConfig):
    """``kind: elasticsearch`` or ``opensearch``."""

    index: str = Field(default="logs-*", description="Index, alias, data stream or pattern.")
    api_key: SecretStr | None = None
    timestamp_field: str = "@timestamp"
    service_field: str = "service.name"
    level_field: str = "log.level"
    message_field: str = "message"
    poll_seconds: float = Field(default=2.0, gt=0)


class Elasticsearch:
    """An Elasticsearch or OpenSearch log backend. Stateless between calls; safe to share."""

    def __init__(
        self,
        name: str,
        config: ElasticsearchConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.config = config
        headers = (
            {"Authorization": f"ApiKey {config.api_key.get_secret_value()}"}
            if config.api_key
            else None
        )
        self.http = HttpBackend(name, config, transport=transport, headers=headers)
        self.skew = Skew(name, config.clock_skew_seconds)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> Elasticsearch:
        """The connector of one ``connectors`` entry (its options validated as
        ElasticsearchConfig).
        """
        return cls(plugin.name, parse_options(ElasticsearchConfig, plugin))

    def body(self, query: LogQuery) -> dict[str, Any]:
        """The ``_search`` request body for ``query``."""
        cfg = self.config
        start, end = self.skew.window(query.start, query.end)
        filters: list[dict[str, Any]] = [
            {
                "range": {
                    cfg.timestamp_field: {
                        "gte": start.isoformat(),
                        "lte": end.isoformat(),
                        "format": "strict_date_optional_time",
                    }
                }
            }
        ]
        if query.service is not None:
            filters.append({"term": {cfg.service_field: query.service}})
        if query.levels:
            names = sorted({n for lvl in query.levels for n in _spellings(lvl.value)})
            filters.append({"terms": {cfg.level_field: names}})
        must = [{"match_phrase": {cfg.message_field: query.text}}] if query.text else []
        return {
            "size": query.limit,
            "sort": [{cfg.timestamp_field: {"order": "desc"}}],
            "query": {"bool": {"filter": filters, "must": must}},
        }

    async def check(self) -> None:
        """Search the last five minutes for one document: proves the index answers."""
        end = datetime.now(UTC)
        await self.search(LogQuery(start=end - timedelta(minutes=5), end=end, limit=1))

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """``POST /<index>/_search`` with the query's filters: newest first, at most the limit;
        ConnectorError (permanent) when the answer has no hits list.
        """
        path = f"/{self.config.index}/_search"
        body = await self.http.post_json(path, self.body(query))
        hits = body.get("hits", {}).get("hits") if isinstance(body, dict) else None
        if not isinstance(hits, list):
            raise self.http.error(
                f"{self.http.url}{path} answered without hits: {str(body)[:200]}", retryable=False
            )
        records = [r for hit in hits if (r := self._record(hit)) is not None]
        records.sort(key=lambda r: r.timestamp, reverse=True)
        return records[: query.limit]

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """Documents as they come, by polling ``search`` every ``poll_seconds``."""
        async for record in poll_tail(self.search, query, interval=self.config.poll_seconds):
            yield record

    def _record(self, hit: dict[str, Any]) -> LogRecord | None:
        source = hit.get("_source") or {}
        cfg = self.config
        ts = parse_timestamp(_field(source, cfg.timestamp_field))
        if ts is None:
            return None
        message = str(_field(source, cfg.message_field) or "")
        level = level_of(_field(source, cfg.level_field))
        return LogRecord(
            timestamp=self.skew.inbound(ts),
            service=str(_field(source, cfg.service_field) or "unknown"),
            level=level or level_in_text(message),
            message=message,
            labels={"index": str(hit.get("_index", "")), "id": str(hit.get("_id", ""))},
        )


def _field(source: dict[str, Any], dotted: str) -> Any:
    """A field by dotted name, whether stored flat (``"log.level"``) or nested."""
    if dotted in source:
        return source[dotted]
    value: Any = source
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _spellings(level: str) -> list[str]:
    words = {"WARN": ["warn", "warning"], "FATAL": ["fatal", "critical"]}.get(level, [level])
    return [form for w in words for form in (w.lower(), w.upper())]
