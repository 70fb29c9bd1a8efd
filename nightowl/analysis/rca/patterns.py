"""Event-pattern baselines: what a service's logs normally look like, and how far a window departs.

A fault that cuts a code path short (an exception, an early return) often moves no metric of the
service it is in, but it changes the service's *events*: a log statement that always follows
another one in the same request stops appearing. So, from fault-free data:

* every log line becomes an event pattern (its masked template, ``logs.masking.mask``), grouped by
  request (the ``trace`` label of the record, or else the record alone);
* per service, a **rule** ``A → B`` is learnt when requests that log ``A`` also log ``B`` at least
  ``min_confidence`` of the time, in at least ``min_support`` requests.

After the fault, a service's deviation counts its requests that break a rule (``A`` without
``B``), in excess of the rule's baseline breach rate, plus ``new_weight`` per request that logs an
error-level pattern never seen in the baseline. It becomes the ``log.patterns`` signal of the
service, judged against the other services like any other signal (``ranker.peer_scores``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nightowl.analysis.logs.masking import mask
from nightowl.analysis.rca.model import SignalAnomaly
from nightowl.domain.base import utc
from nightowl.domain.signals import LogLevel, LogRecord

METRIC = "log.patterns"
TRACE_LABELS = ("trace", "trace_id", "TraceID")
_ERRORS = frozenset({LogLevel.ERROR, LogLevel.FATAL})


@dataclass(frozen=True, slots=True)
class ServicePatterns:
    """One service's fault-free event patterns and the rules between them."""

    patterns: frozenset[str]
    rules: Mapping[str, tuple[tuple[str, float], ...]]
    """Pattern ``A`` → the patterns ``B`` that follow it in the same request, with the baseline
    breach rate (share of ``A``-requests without ``B``)."""


@dataclass(frozen=True, slots=True)
class PatternBaseline:
    """Per-service event-pattern baselines, learnt from fault-free logs (``learn_baseline``)."""

    services: Mapping[str, ServicePatterns] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.services)


def pattern_of(record: LogRecord) -> str:
    """The event pattern of a log record: its masked template, capped in length."""
    return mask(record.message)[:200]


def _request(record: LogRecord, index: int) -> str:
    for key in TRACE_LABELS:
        value = record.labels.get(key)
        if value:
            return value
    return f"#{index}"


def _requests(records: Iterable[LogRecord]) -> dict[str, dict[str, list[LogRecord]]]:
    """Service → request → its records."""
    out: dict[str, dict[str, list[LogRecord]]] = defaultdict(lambda: defaultdict(list))
    for i, record in enumerate(records):
        out[record.service][_request(record, i)].append(record)
    return out


def learn_baseline(
    records: Iterable[LogRecord], *, min_support: int = 5, min_confidence: float = 0.95
) -> PatternBaseline:
    """Learn every service's patterns and rules from fault-free log records."""
    services: dict[str, ServicePatterns] = {}
    for service, requests in _requests(records).items():
        seen: dict[str, int] = defaultdict(int)
        together: dict[tuple[str, str], int] = defaultdict(int)
        for recs in requests.values():
            present = sorted({pattern_of(r) for r in recs})
            for a in present:
                seen[a] += 1
                for b in present:
                    if a != b:
                        together[(a, b)] += 1
        rules: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (a, b), n in sorted(together.items()):
            if seen[a] >= min_support and n >= min_confidence * seen[a]:
                rules[a].append((b, 1.0 - n / seen[a]))
        services[service] = ServicePatterns(
            patterns=frozenset(seen), rules={a: tuple(bs) for a, bs in rules.items()}
        )
    return PatternBaseline(services)


def pattern_anomalies(
    logs: Sequence[LogRecord],
    baseline: PatternBaseline,
    fault_time: datetime,
    horizon: timedelta,
    new_weight: float = 1.0,
) -> dict[str, SignalAnomaly]:
    """Each baselined service's ``log.patterns`` deviation in ``[fault_time, + horizon)``."""
    start = utc(fault_time)
    window = [r for r in logs if start <= utc(r.timestamp) < start + horizon]
    out: dict[str, SignalAnomaly] = {}
    for service, requests in _requests(window).items():
        known = baseline.services.get(service)
        if known is None:
            continue
        broken, expected, onset = 0.0, 0.0, None
        for recs in requests.values():
            present = {pattern_of(r) for r in recs}
            breaches = [
                rate for a in present for b, rate in known.rules.get(a, ()) if b not in present
            ]
            fresh = any(r.level in _ERRORS and pattern_of(r) not in known.patterns for r in recs)
            expected += sum(rate for a in present for _, rate in known.rules.get(a, ()))
            if breaches or fresh:
                broken += (1.0 if breaches else 0.0) + (new_weight if fresh else 0.0)
                first = min(utc(r.timestamp) for r in recs)
                onset = first if onset is None else min(onset, first)
        excess = max(0.0, broken - expected)
        out[service] = SignalAnomaly(
            service=service,
            metric=METRIC,
            score=math.log1p(excess),
            baseline=expected,
            observed=broken,
            onset=onset if excess > 0.0 else None,
        )
    for service in baseline.services:
        out.setdefault(
            service,
            SignalAnomaly(service=service, metric=METRIC, score=0.0, baseline=0.0, observed=0.0),
        )
    return out
