"""``query_metrics`` and ``search_logs``: the configured connectors, read-only and budgeted.

Every read has a time budget (``mcp.timeout_seconds``), a widest range (``mcp.max_range_minutes``)
and a most rows (``mcp.max_rows``: series, points per series, log records); the answer says what
was cut. A connector's failure is an answer naming the connector, never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from nightowl.app.nightowl import Nightowl
from nightowl.connectors.protocols import LogQuery, LogSource, MetricsSource
from nightowl.domain import LogLevel, LogRecord, Series
from nightowl.domain.base import Model
from nightowl.errors import InputError, NightowlError

S = TypeVar("S", MetricsSource, LogSource)
T = TypeVar("T")


class SeriesOut(Model):
    """One series of an answer: its labels and at most ``max_rows`` (timestamp, value) points."""

    labels: dict[str, str]
    points: list[tuple[float, float]]
    cut: int = 0


class MetricsAnswer(Model):
    source: str
    query: str
    series: list[SeriesOut]
    cut_series: int = 0


class LogsAnswer(Model):
    source: str
    records: list[LogRecord]
    cut: bool = False


def _pick(found: tuple[S, ...], name: str | None, what: str) -> S:
    if not found:
        raise InputError(f"no {what} connector is configured (connectors:)")
    if name is None:
        return found[0]
    for source in found:
        if source.name == name:
            return source
    raise InputError(f"no {what} connector {name!r}; known: {', '.join(s.name for s in found)}")


def _range(app: Nightowl, minutes: int) -> timedelta:
    widest = app.settings.mcp.max_range_minutes
    if not 1 <= minutes <= widest:
        raise InputError(f"minutes must be between 1 and {widest} (mcp.max_range_minutes)")
    return timedelta(minutes=minutes)


async def query_metrics(
    app: Nightowl, query: str, minutes: int, step_seconds: int, source: str | None
) -> MetricsAnswer:
    """A range query over the last ``minutes`` on one metrics connector (the first by default)."""
    metrics = _pick(app.reads.metrics, source, "metrics")
    span = _range(app, minutes)
    if not 1 <= step_seconds <= 3600:
        raise InputError("step_seconds must be between 1 and 3600")
    end = app.clock.now()
    found = await _timed(
        app, metrics.name, metrics.query_range(query, end - span, end, step_seconds)
    )
    rows = app.settings.mcp.max_rows
    return MetricsAnswer(
        source=metrics.name,
        query=query,
        series=[_series(s, rows) for s in found[:rows]],
        cut_series=max(0, len(found) - rows),
    )


async def search_logs(
    app: Nightowl,
    service: str | None,
    text: str | None,
    levels: list[LogLevel],
    minutes: int,
    source: str | None,
) -> LogsAnswer:
    """Log records of the last ``minutes``, newest first, at most ``mcp.max_rows``."""
    logs = _pick(app.reads.logs, source, "logs")
    span = _range(app, minutes)
    end = app.clock.now()
    rows = app.settings.mcp.max_rows
    query = LogQuery(
        service=service, levels=tuple(levels), start=end - span, end=end, text=text, limit=rows + 1
    )
    found = await _timed(app, logs.name, logs.search(query))
    return LogsAnswer(source=logs.name, records=found[:rows], cut=len(found) > rows)


def _series(series: Series, rows: int) -> SeriesOut:
    points = list(zip(series.timestamps, series.values, strict=True))
    return SeriesOut(labels=series.labels, points=points[-rows:], cut=max(0, len(points) - rows))


async def _timed(app: Nightowl, name: str, call: Coroutine[Any, Any, T]) -> T:
    limit = app.settings.mcp.timeout_seconds
    try:
        return await asyncio.wait_for(call, timeout=limit)
    except TimeoutError:
        raise InputError(f"{name} gave no answer within {limit:g}s (mcp.timeout_seconds)") from None
    except NightowlError as exc:
        raise InputError(f"{name}: {exc}") from None
