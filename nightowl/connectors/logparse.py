"""Reading log lines: levels, timestamps, JSON or plain text, and matching a LogQuery.

Shared by the connectors that receive raw lines (files, journald, Kubernetes pod logs, Loki).
Levels are recognised by name (``warn``, ``ERROR``, ``crit``, ...) or as syslog priorities (0-7).
Timestamps are ISO 8601 (with or without an offset: a naive one is taken in the configured time
zone) or unix epochs in seconds, milliseconds, microseconds or nanoseconds.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel, LogRecord

LEVELS: dict[str, LogLevel] = {
    "trace": LogLevel.DEBUG,
    "debug": LogLevel.DEBUG,
    "info": LogLevel.INFO,
    "information": LogLevel.INFO,
    "notice": LogLevel.INFO,
    "warn": LogLevel.WARN,
    "warning": LogLevel.WARN,
    "err": LogLevel.ERROR,
    "error": LogLevel.ERROR,
    "crit": LogLevel.FATAL,
    "critical": LogLevel.FATAL,
    "fatal": LogLevel.FATAL,
    "panic": LogLevel.FATAL,
    "alert": LogLevel.FATAL,
    "emerg": LogLevel.FATAL,
}
SYSLOG = (LogLevel.FATAL,) * 3 + (LogLevel.ERROR, LogLevel.WARN, LogLevel.INFO, LogLevel.INFO)
"""Syslog priority 0 (emerg) … 6 (info); 7 (debug) maps to DEBUG."""
_WORD = re.compile(
    r"\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERR(?:OR)?|CRIT(?:ICAL)?|FATAL|PANIC)\b",
    re.IGNORECASE,
)
_STAMP = re.compile(
    r"^\s*\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\]?\s*"
)
_FRACTION = re.compile(r"([.,])(\d+)")
TIME_KEYS = ("timestamp", "@timestamp", "time", "ts", "t")
LEVEL_KEYS = ("level", "severity", "lvl", "log.level", "levelname", "loglevel")
MESSAGE_KEYS = ("message", "msg", "log", "MESSAGE")
SERVICE_KEYS = ("service", "service.name", "app", "logger")


def level_of(value: object) -> LogLevel | None:
    """A level from a name or a syslog priority; None when not recognisable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        return SYSLOG[number] if 0 <= number < len(SYSLOG) else LogLevel.DEBUG
    if isinstance(value, str):
        return LEVELS.get(value.strip().lower())
    return None


def level_in_text(text: str, default: LogLevel = LogLevel.INFO) -> LogLevel:
    """The first level word in a plain line (``... ERROR ...``, ``level=warn``)."""
    match = _WORD.search(text)
    found = level_of(match.group(1)) if match else None
    return found or default


def parse_timestamp(value: object, zone: tzinfo = UTC) -> datetime | None:
    """An aware datetime from ISO 8601 text or a unix epoch; naive text is read in ``zone``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        for scale in (1e9, 1e6, 1e3):
            if number > scale * 1e8:  # beyond ~1973 in this unit: the epoch is in a finer unit
                return datetime.fromtimestamp(number / scale, UTC)
        return datetime.fromtimestamp(number, UTC)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit():
        return parse_timestamp(int(text), zone)
    text = _FRACTION.sub(lambda m: "." + m.group(2)[:6], text.replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_line(
    line: str, *, service: str, zone: tzinfo = UTC, fallback: datetime | None = None
) -> LogRecord | None:
    """One line (a JSON object or plain text) as a LogRecord; None for a blank line or a line
    without a timestamp when there is no ``fallback`` time."""
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    if line.lstrip().startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return _from_json(data, service=service, zone=zone, fallback=fallback)
    match = _STAMP.match(line)
    ts = parse_timestamp(match.group(1), zone) if match else None
    message = line[match.end() :] if match else line
    when = ts or fallback
    if when is None:
        return None
    return LogRecord(
        timestamp=when.astimezone(UTC),
        service=service,
        level=level_in_text(message),
        message=message,
    )


def _from_json(
    data: dict[str, object], *, service: str, zone: tzinfo, fallback: datetime | None
) -> LogRecord | None:
    ts = next((parse_timestamp(data[k], zone) for k in TIME_KEYS if k in data), None) or fallback
    if ts is None:
        return None
    message = next((str(data[k]) for k in MESSAGE_KEYS if k in data), json.dumps(data))
    level = next((level_of(data[k]) for k in LEVEL_KEYS if k in data), None)
    own = next((str(data[k]) for k in SERVICE_KEYS if isinstance(data.get(k), str)), None)
    labels = {
        k: str(v)
        for k, v in data.items()
        if isinstance(v, str | int | float) and k not in (*TIME_KEYS, *MESSAGE_KEYS)
    }
    return LogRecord(
        timestamp=ts.astimezone(UTC),
        service=own or service,
        level=level or level_in_text(message),
        message=message,
        labels=labels,
    )


def matches(record: LogRecord, query: LogQuery, *, start: datetime, end: datetime) -> bool:
    """Whether ``record`` passes the query's filters and lies in [start, end]."""
    return (
        start <= record.timestamp <= end
        and (query.service is None or record.service == query.service)
        and (not query.levels or record.level in query.levels)
        and (query.text is None or query.text.lower() in record.message.lower())
    )


def newest_first(records: list[LogRecord], limit: int) -> list[LogRecord]:
    """The ``limit`` newest records, newest first."""
    return sorted(records, key=lambda r: r.timestamp, reverse=True)[:limit]
