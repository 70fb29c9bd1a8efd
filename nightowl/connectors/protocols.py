"""The read-side contracts: one protocol per kind of data.

Every method takes an absolute time range (aware datetimes) and is async. Implementations raise
``ConnectorError`` (naming the connector, its URL and what the backend answered) and never return
partial data silently; the gather stage turns a failure into 'unavailable' evidence, so a dead
backend degrades the diagnosis instead of failing the incident. Reads are idempotent and safe to retry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from nightowl.domain import Deploy, LogLevel, LogRecord, Series, SignalKind
from nightowl.domain.base import Model


class LogQuery(Model):
    service: str | None = None
    levels: tuple[LogLevel, ...] = ()
    start: datetime
    end: datetime
    text: str | None = None
    limit: int = 1000


@runtime_checkable
class MetricsSource(Protocol):
    """Metrics: raw range queries in the backend's language, and the golden signals of a service."""

    name: str

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]: ...

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]: ...


@runtime_checkable
class LogSource(Protocol):
    """Logs: search newest first, bounded by ``query.limit``."""

    name: str

    async def search(self, query: LogQuery) -> list[LogRecord]: ...


@runtime_checkable
class DeploySource(Protocol):
    """Deploys of a service (or of every service when ``service`` is None) within a window."""

    name: str

    async def deploys(
        self, service: str | None, start: datetime, end: datetime
    ) -> list[Deploy]: ...


@runtime_checkable
class TopologySource(Protocol):
    """The service dependency graph: caller -> callees."""

    name: str

    async def dependencies(self) -> dict[str, list[str]]: ...
