"""Operational logging: the standard library's ``logging``, in console or JSON lines, with the
incident and stage a line was written for.

The workflow engine runs each stage inside ``incident_context``; ``IncidentFilter`` copies the
context variables onto every record, so any line logged by a stage (or by a library it calls, in
the same task or a thread started with ``asyncio.to_thread``) carries ``incident_id`` and
``stage``, and ``trace_id`` when it was written inside a span of nightowl's own traces
(``nightowl.telemetry``; needs the otel extra). ``configure`` installs one handler on the root logger — uvicorn, DBOS and httpx log
through it too. JSON lines carry ``ts``, ``level``, ``logger``, ``message``, ``incident_id``,
``stage``, ``trace_id`` (and ``exception`` when there is one). Nothing here runs at import time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

import orjson

LogFormat = Literal["console", "json"]
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_incident: ContextVar[str | None] = ContextVar("nightowl_incident_id", default=None)
_stage: ContextVar[str | None] = ContextVar("nightowl_stage", default=None)

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s%(where)s: %(message)s"


def current_incident() -> str | None:
    """The incident the current context works on (``incident_context``), None outside one."""
    return _incident.get()


def current_trace_id() -> str | None:
    """The trace id (32 hex digits) of the current OpenTelemetry span, None without one."""
    try:
        from opentelemetry import trace
    except ImportError:  # the otel extra is not installed: there are no spans
        return None
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


@contextmanager
def incident_context(incident_id: str, stage: str | None = None) -> Iterator[None]:
    """Within the block, every log record names ``incident_id`` (and ``stage``)."""
    incident_token, stage_token = _incident.set(incident_id), _stage.set(stage)
    try:
        yield
    finally:
        _stage.reset(stage_token)
        _incident.reset(incident_token)


class IncidentFilter(logging.Filter):
    """Adds ``incident_id``, ``stage``, ``trace_id`` and ``where`` (`` [inc-… gather trace=…]`` or
    empty) to a record; keeps every record. Safe to share between handlers and threads (reads
    context variables)."""

    def filter(self, record: logging.LogRecord) -> bool:
        incident, stage, trace_id = _incident.get(), _stage.get(), current_trace_id()
        record.incident_id, record.stage, record.trace_id = incident, stage, trace_id
        traced = f"trace={trace_id}" if trace_id else None
        named = " ".join(part for part in (incident, stage, traced) if part)
        record.where = f" [{named}]" if named else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (ISO 8601, UTC), level, logger, message, incident_id, stage,
    trace_id."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "incident_id": getattr(record, "incident_id", None),
            "stage": getattr(record, "stage", None),
            "trace_id": getattr(record, "trace_id", None),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is at each record (a test runner may swap it)."""

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        del value  # always the current sys.stderr


def handler(fmt: LogFormat = "console", stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler (stderr by default) in ``fmt``, with the incident filter."""
    out: logging.Handler = _Stderr() if stream is None else logging.StreamHandler(stream)
    out.addFilter(IncidentFilter())
    out.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(CONSOLE_FORMAT))
    return out


def configure(level: str = "WARNING", fmt: LogFormat = "console") -> None:
    """Log at ``level`` and above in ``fmt`` to stderr: one handler on the root logger, replacing
    the one an earlier call installed (other handlers, a test runner's, are left alone).

    Raises ValueError for a level not in ``LEVELS``.
    """
    name = level.upper()
    if name not in LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(old)
    root.addHandler(handler(fmt))
    root.setLevel(name)
