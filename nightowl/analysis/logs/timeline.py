"""Error and warning timeline of a batch of log records, and error-spike detection."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from nightowl.domain.base import Model, utc
from nightowl.domain.signals import LogLevel, LogRecord

ERROR_LEVELS = frozenset({LogLevel.ERROR, LogLevel.FATAL})
WARNING_LEVELS = frozenset({LogLevel.WARN})


class TimelineBucket(Model):
    """Counts for ``[start, end)``; ``error_lines``/``warning_lines`` index the input records."""

    start: datetime
    end: datetime
    total: int
    errors: int
    warnings: int
    error_lines: tuple[int, ...]
    warning_lines: tuple[int, ...]


class LevelTimeline(Model):
    bucket_seconds: float
    buckets: tuple[TimelineBucket, ...]


class Spike(Model):
    """A run of buckets whose error count is far above what came before.

    ``onset`` is the start of the first bucket of the run; ``line_indices`` are the error lines
    inside the run (capped at ``max_refs`` of :func:`detect_error_spike`).
    """

    onset: datetime
    end: datetime
    peak_at: datetime
    peak_errors: int
    baseline_errors: float
    total_errors: int
    line_indices: tuple[int, ...]


def level_timeline(
    records: Sequence[LogRecord],
    bucket: timedelta = timedelta(minutes=1),
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> LevelTimeline:
    """Bucket ``records`` by time. Empty buckets in between are kept (they are information).

    Without ``start``, buckets are aligned on multiples of ``bucket`` (whole minutes, ...).
    """
    if bucket <= timedelta(0):
        raise ValueError("bucket must be a positive duration")
    stamps = [utc(r.timestamp) for r in records]
    if not stamps:
        return LevelTimeline(bucket_seconds=bucket.total_seconds(), buckets=())
    size = bucket.total_seconds()
    first = utc(start) if start else _floor(min(stamps), size)
    last = utc(end) if end else max(stamps)
    count = int((last - first).total_seconds() // size) + 1
    totals = [0] * count
    errors: list[list[int]] = [[] for _ in range(count)]
    warnings: list[list[int]] = [[] for _ in range(count)]
    for i, (record, ts) in enumerate(zip(records, stamps, strict=True)):
        slot = int((ts - first).total_seconds() // size)
        if not 0 <= slot < count:
            continue
        totals[slot] += 1
        if record.level in ERROR_LEVELS:
            errors[slot].append(i)
        elif record.level in WARNING_LEVELS:
            warnings[slot].append(i)
    buckets = tuple(
        TimelineBucket(
            start=first + bucket * k,
            end=first + bucket * (k + 1),
            total=totals[k],
            errors=len(errors[k]),
            warnings=len(warnings[k]),
            error_lines=tuple(errors[k]),
            warning_lines=tuple(warnings[k]),
        )
        for k in range(count)
    )
    return LevelTimeline(bucket_seconds=size, buckets=buckets)


def _floor(ts: datetime, size: float) -> datetime:
    """``ts`` rounded down to a multiple of ``size`` seconds since the epoch (whole minutes)."""
    return datetime.fromtimestamp(math.floor(ts.timestamp() / size) * size, UTC)


def detect_error_spike(
    timeline: LevelTimeline,
    *,
    factor: float = 3.0,
    min_errors: int = 5,
    min_history: int = 3,
    window: int = 60,
    max_refs: int = 200,
) -> Spike | None:
    """The first error spike of ``timeline``, or None.

    A bucket spikes when it has at least ``min_errors`` errors and more than ``factor`` times
    the baseline: the median of the ``window`` buckets before it (at least 1, so a quiet service needs
    ``min_errors``), plus three median absolute deviations. The spike lasts while buckets stay
    above half that threshold. The first ``min_history`` buckets only build the baseline: with
    nothing before them, a high count is not a change.
    """
    counts = [b.errors for b in timeline.buckets]
    for i, n in enumerate(counts):
        if i < min_history:
            continue
        history = counts[max(0, i - window) : i]
        base = statistics.median(history) if history else 0.0
        spread = statistics.median([abs(c - base) for c in history]) if history else 0.0
        threshold = max(float(min_errors), factor * max(base, 1.0) + 3.0 * spread)
        if n < threshold:
            continue
        stop = i
        while stop + 1 < len(counts) and counts[stop + 1] >= threshold / 2:
            stop += 1
        run = timeline.buckets[i : stop + 1]
        peak = max(run, key=lambda b: b.errors)
        lines = [j for b in run for j in b.error_lines][:max_refs]
        return Spike(
            onset=run[0].start,
            end=run[-1].end,
            peak_at=peak.start,
            peak_errors=peak.errors,
            baseline_errors=float(base),
            total_errors=sum(b.errors for b in run),
            line_indices=tuple(lines),
        )
    return None
