"""What an MCP tool's answer becomes: Prometheus results into series, JSON records into log lines.

The answer is untrusted: anything not of the expected shape is a ConnectorError naming what was
wrong (never a partial result passed on silently), values must be finite numbers, and every label
and message is bounded (``LABEL_CHARS``, ``MESSAGE_CHARS``) and at most ``limit`` series or
records are kept, so a server cannot grow an incident's observations without bound.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from nightowl.connectors.logparse import level_of
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel, LogRecord, Series
from nightowl.errors import ConnectorError

LABEL_CHARS = 200
MESSAGE_CHARS = 4000
MAX_LABELS = 30


def series_of(data: Any, connector: str, limit: int) -> list[Series]:
    """A Prometheus query result (``{"resultType": ..., "result": [...]}``) as series."""
    if not isinstance(data, dict) or "result" not in data:
        raise _wrong(connector, "a Prometheus result (resultType, result)", data)
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list):
        result = [{"metric": {}, "value": result}]
    elif kind not in ("matrix", "vector") or not isinstance(result, list):
        raise _wrong(connector, "a vector or matrix result", data)
    out = []
    for item in result[:limit]:
        if not isinstance(item, dict):
            raise _wrong(connector, "series objects", item)
        points = item.get("values") or ([item["value"]] if "value" in item else [])
        pairs = [_point(p, connector) for p in points]
        kept = [(t, v) for t, v in pairs if math.isfinite(v)]
        labels = _labels(item.get("metric"))
        out.append(
            Series(
                metric=labels.get("__name__", "value"),
                labels=labels,
                timestamps=tuple(t for t, _ in kept),
                values=tuple(v for _, v in kept),
            )
        )
    return out


def log_records(data: Any, connector: str, query: LogQuery) -> list[LogRecord]:
    """A JSON list of records (or ``{"records": [...]}``) as log lines, newest first, within the
    query's range and levels."""
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise _wrong(connector, "a list of log records", data)
    out = []
    for item in data[: query.limit * 2]:
        if not isinstance(item, dict) or not isinstance(item.get("message"), str):
            raise _wrong(connector, "records with a message", item)
        at = _when(item.get("timestamp"), connector)
        level = level_of(item.get("level")) or LogLevel.INFO
        if not query.start <= at <= query.end or (query.levels and level not in query.levels):
            continue
        service = str(item.get("service") or query.service or "unknown")[:LABEL_CHARS]
        out.append(
            LogRecord(
                timestamp=at,
                service=service,
                level=level,
                message=item["message"][:MESSAGE_CHARS],
                labels=_labels(item.get("labels")),
            )
        )
    return sorted(out, key=lambda r: r.timestamp, reverse=True)


def _point(point: Any, connector: str) -> tuple[float, float]:
    try:
        t, v = point
        return float(t), float(v)
    except (TypeError, ValueError):
        raise _wrong(connector, "[timestamp, value] points", point) from None


def _labels(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    items = list(raw.items())[:MAX_LABELS]
    return {str(k)[:LABEL_CHARS]: str(v)[:LABEL_CHARS] for k, v in items}


def _when(raw: Any, connector: str) -> datetime:
    try:
        if isinstance(raw, int | float):
            return datetime.fromtimestamp(float(raw), UTC)
        at = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError, OSError):
        raise _wrong(connector, "an ISO 8601 or unix timestamp", raw) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _wrong(connector: str, expected: str, got: Any) -> ConnectorError:
    return ConnectorError(
        f"the tool's answer is not {expected}: {str(got)[:120]!r}",
        connector=connector,
        retryable=False,
    )
