"""Error/warning timeline and error-spike detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nightowl.analysis.logs.timeline import detect_error_spike, level_timeline
from nightowl.domain.signals import LogLevel, LogRecord

T0 = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def rec(minute: float, level: LogLevel, message: str = "x", service: str = "api") -> LogRecord:
    return LogRecord(
        timestamp=T0 + timedelta(minutes=minute), service=service, level=level, message=message
    )


def test_buckets_count_levels_and_point_at_lines() -> None:
    records = [
        rec(0.1, LogLevel.INFO),
        rec(0.5, LogLevel.ERROR),
        rec(1.2, LogLevel.WARN),
        rec(3.9, LogLevel.FATAL),
    ]
    timeline = level_timeline(records, timedelta(minutes=1))
    assert [(b.total, b.errors, b.warnings) for b in timeline.buckets] == [
        (2, 1, 0),
        (1, 0, 1),
        (0, 0, 0),  # an empty bucket in between is kept
        (1, 1, 0),
    ]
    assert timeline.buckets[0].error_lines == (1,)
    assert timeline.buckets[1].warning_lines == (2,)
    assert timeline.buckets[3].error_lines == (3,)
    assert timeline.buckets[0].start == T0  # aligned on whole minutes


def test_explicit_window_and_naive_timestamps() -> None:
    naive = LogRecord(
        timestamp=datetime(2026, 11, 21, 3, 2), service="api", level=LogLevel.ERROR, message="x"
    )
    timeline = level_timeline(
        [naive], timedelta(minutes=1), start=T0, end=T0 + timedelta(minutes=4)
    )
    assert len(timeline.buckets) == 5
    assert timeline.buckets[2].errors == 1


def test_empty_and_invalid_input() -> None:
    assert level_timeline([], timedelta(minutes=1)).buckets == ()
    with pytest.raises(ValueError, match="positive"):
        level_timeline([], timedelta(0))


def test_spike_onset_is_the_first_bucket_of_the_run() -> None:
    records = [rec(m + 0.5, LogLevel.ERROR) for m in range(30) if m % 3 == 0]  # ~0.3/min
    records += [rec(30 + m / 10, LogLevel.ERROR) for m in range(40)]  # 10/min for 4 minutes
    records += [rec(40, LogLevel.INFO)]
    spike = detect_error_spike(level_timeline(records, timedelta(minutes=1)))
    assert spike is not None
    assert spike.onset == T0 + timedelta(minutes=30)
    assert spike.end == T0 + timedelta(minutes=34)
    assert spike.peak_errors == 10
    assert spike.total_errors == 40
    assert spike.baseline_errors <= 1
    assert all(records[i].level is LogLevel.ERROR for i in spike.line_indices)


def test_steady_errors_are_not_a_spike() -> None:
    records = [rec(m + s / 10, LogLevel.ERROR) for m in range(60) for s in range(6)]
    assert detect_error_spike(level_timeline(records, timedelta(minutes=1))) is None


def test_a_few_errors_on_a_quiet_service_are_not_a_spike() -> None:
    records = [rec(10, LogLevel.ERROR), rec(10.2, LogLevel.ERROR), rec(30, LogLevel.INFO)]
    assert detect_error_spike(level_timeline(records, timedelta(minutes=1))) is None
