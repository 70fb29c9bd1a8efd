"""Nezha's per-minute trace and log files as series, a call graph and log records.

A trace file (``HH_MM_trace.csv[.gz]``) holds spans: ``TraceID, SpanID, ParentID, PodName,
OperationName, StartTimeUnixNano, EndTimeUnixNano, Duration``. A span whose parent runs in another
service is the server side of a call; its parent is the caller's client span. From that:

* ``trace.latency`` — the duration of every server-side span of a service (ms);
* ``trace.self`` — that duration minus the time spent waiting on calls to other services, so a slow
  callee does not make its callers look slow themselves;
* ``net.gap`` — client duration minus server duration of every call: time on the wire, pooled over
  both ends of the call (a delayed network interface shows on every call that crosses it).

Log files hold ``Timestamp, TimeUnixNano, Node, PodName, Container, TraceID, SpanID, Log`` where
``Log`` is JSON whose ``log`` field is the raw line; the level is read from the raw line.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nightowl.domain.signals import LogLevel, LogRecord, Series
from nightowl_lab.eval.rca.nezha_metrics import SignalMap, open_text, service_of_pod

_LEVELS = {level.value: level for level in LogLevel} | {"WARNING": LogLevel.WARN}
_STACK_MARKERS = ("Exception", "\tat ", "Caused by:")


@dataclass(frozen=True, slots=True)
class Span:
    """One span of a Nezha trace file: its ids, its service, when it started and how long it
    took.
    """

    trace: str
    span: str
    parent: str
    service: str
    start: float
    duration_ms: float


def read_spans(paths: Iterable[Path], start: float, end: float) -> list[Span]:
    """Spans of the given files that started in ``[start, end)`` (unix seconds)."""
    spans: list[Span] = []
    for path in paths:
        with open_text(path) as handle:
            rows = csv.reader(handle)
            next(rows, None)
            for row in rows:
                if len(row) < 7:
                    continue
                try:
                    begin, finish = int(row[5]) / 1e9, int(row[6]) / 1e9
                except ValueError:
                    continue
                if start <= begin < end:
                    service = service_of_pod(row[3])
                    spans.append(
                        Span(row[0], row[1], row[2], service, begin, 1e3 * (finish - begin))
                    )
    return spans


def call_graph(spans: Iterable[Span]) -> dict[str, set[str]]:
    """Caller → callees, from every parent/child span pair that crosses a service boundary."""
    graph: dict[str, set[str]] = defaultdict(set)
    for child, parent in _calls(spans):
        graph[parent.service].add(child.service)
    return graph


def _calls(spans: Iterable[Span]) -> Iterator[tuple[Span, Span]]:
    """(server span, client span) of every cross-service call."""
    by_id = {(s.trace, s.span): s for s in spans}
    for span in by_id.values():
        parent = by_id.get((span.trace, span.parent))
        if parent is not None and parent.service != span.service:
            yield span, parent


def _entry_of(span: Span, by_id: dict[tuple[str, str], Span]) -> Span:
    """The server-side span of the request this span belongs to, inside its own service."""
    current = span
    while True:
        parent = by_id.get((current.trace, current.parent))
        if parent is None or parent.service != current.service:
            return current
        current = parent


def trace_signals(spans: list[Span]) -> SignalMap:
    """``trace.latency``, ``trace.self`` and ``net.gap`` per service (see the module docstring)."""
    by_id = {(s.trace, s.span): s for s in spans}
    waiting: dict[tuple[str, str], float] = defaultdict(float)
    samples: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for server, client in _calls(spans):
        waiting[(client.trace, _entry_of(client, by_id).span)] += client.duration_ms
        gap = client.duration_ms - server.duration_ms
        for service in (server.service, client.service):
            samples[(service, "net.gap")].append((server.start, gap))
    for span in by_id.values():
        if _entry_of(span, by_id) is span:
            own = max(0.0, span.duration_ms - waiting.get((span.trace, span.span), 0.0))
            samples[(span.service, "trace.latency")].append((span.start, span.duration_ms))
            samples[(span.service, "trace.self")].append((span.start, own))
    out: SignalMap = defaultdict(dict)
    for (service, metric), points in samples.items():
        points.sort()
        out[service][metric] = Series(
            metric=metric,
            labels={"service": service},
            timestamps=tuple(p[0] for p in points),
            values=tuple(p[1] for p in points),
        )
    return dict(out)


def _level(line: str) -> LogLevel:
    for token in line.split(maxsplit=3)[:3]:
        level = _LEVELS.get(token.strip("[]:").upper())
        if level is not None:
            return level
    # A JVM stack trace is printed one frame per line, without a level: it belongs to an error.
    if any(marker in line for marker in _STACK_MARKERS):
        return LogLevel.ERROR
    return LogLevel.INFO


def read_logs(paths: Iterable[Path], start: float, end: float) -> list[LogRecord]:
    """Log records of the given files stamped in ``[start, end)`` (unix seconds)."""
    records: list[LogRecord] = []
    for path in paths:
        with open_text(path) as handle:
            rows = csv.reader(handle)
            next(rows, None)
            for row in rows:
                if len(row) < 8:
                    continue
                try:
                    ts = int(row[1]) / 1e9
                    line = str(json.loads(row[7]).get("log", ""))
                except (ValueError, AttributeError):
                    continue
                if start <= ts < end:
                    records.append(
                        LogRecord(
                            timestamp=datetime.fromtimestamp(ts, tz=UTC),
                            service=service_of_pod(row[3]),
                            level=_level(line),
                            message=line.rstrip("\n"),
                            labels={"trace": row[5]} if row[5] else {},
                        )
                    )
    return records
