"""Reading raw log lines the way every line-based connector does: levels by name or syslog
priority, ISO 8601 and epoch timestamps (naive ones in the configured zone), JSON or plain lines,
and the LogQuery filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from nightowl.connectors.logparse import (
    level_in_text,
    level_of,
    matches,
    newest_first,
    parse_line,
    parse_timestamp,
)
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel, LogRecord

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
BERLIN = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("warning", LogLevel.WARN),
        (" ERROR ", LogLevel.ERROR),
        ("crit", LogLevel.FATAL),
        ("notice", LogLevel.INFO),
        (0, LogLevel.FATAL),
        ("3", LogLevel.ERROR),
        (4, LogLevel.WARN),
        (7, LogLevel.DEBUG),
        (42, LogLevel.DEBUG),
        ("loud", None),
        (True, None),  # a bool is not a priority
        (None, None),
    ],
)
def test_levels_by_name_or_syslog_priority(value: object, level: LogLevel | None) -> None:
    assert level_of(value) is level


def test_the_first_level_word_in_plain_text_wins() -> None:
    assert level_in_text("GET /cart took 3s WARN then ERROR") is LogLevel.WARN
    assert level_in_text("level=error db timeout") is LogLevel.ERROR
    assert level_in_text("errors are words too") is LogLevel.INFO  # whole words only
    assert level_in_text("nothing here", default=LogLevel.DEBUG) is LogLevel.DEBUG


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-20T03:00:00Z",
        "2026-11-20T04:00:00+01:00",
        "2026-11-20 03:00:00,000000123",  # a comma and nanoseconds, cut to microseconds
        AT.timestamp(),
        int(AT.timestamp() * 1000),
        int(AT.timestamp() * 1_000_000),
        str(int(AT.timestamp() * 1_000_000_000)),
    ],
)
def test_timestamps_in_iso_8601_or_any_epoch_unit(value: object) -> None:
    parsed = parse_timestamp(value)
    assert parsed is not None
    assert abs(parsed - AT) < timedelta(milliseconds=1)
    assert parsed.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_read_in_the_configured_zone() -> None:
    assert parse_timestamp("2026-11-20T04:00:00", BERLIN) == AT
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(["2026"]) is None


def test_a_plain_line_with_a_bracketed_stamp() -> None:
    record = parse_line("[2026-11-20T03:00:00Z] ERROR payment declined\n", service="checkout")
    assert record is not None
    assert (record.timestamp, record.level, record.message) == (
        AT,
        LogLevel.ERROR,
        "ERROR payment declined",
    )
    assert record.service == "checkout"


def test_a_line_without_a_stamp_needs_a_fallback_and_blank_lines_are_none() -> None:
    assert parse_line("no time here", service="s") is None
    assert parse_line("   ", service="s", fallback=AT) is None
    record = parse_line("no time here", service="s", fallback=AT)
    assert record is not None
    assert record.timestamp == AT


def test_a_json_line_brings_its_own_service_level_and_labels() -> None:
    line = (
        '{"ts": "2026-11-20T03:00:00Z", "lvl": "warn", "msg": "slow", "app": "cart", '
        '"pod": "p-1", "n": 3}'
    )
    record = parse_line(line, service="fallback")
    assert record is not None
    assert (record.service, record.level, record.message) == ("cart", LogLevel.WARN, "slow")
    assert record.labels == {"lvl": "warn", "app": "cart", "pod": "p-1", "n": "3"}


def test_malformed_json_is_read_as_plain_text() -> None:
    record = parse_line('{"broken": ERROR', service="s", fallback=AT)
    assert record is not None
    assert (record.level, record.message) == (LogLevel.ERROR, '{"broken": ERROR')


def record(minutes: int, service: str = "checkout", level: LogLevel = LogLevel.ERROR) -> LogRecord:
    return LogRecord(
        timestamp=AT + timedelta(minutes=minutes),
        service=service,
        level=level,
        message="DB Timeout",
    )


def test_the_query_filters_and_the_window_ends_are_inclusive() -> None:
    query = LogQuery(service="checkout", levels=(LogLevel.ERROR,), text="timeout", start=AT, end=AT)
    window = {"start": AT, "end": AT + timedelta(minutes=10)}
    assert matches(record(0), query, **window)
    assert matches(record(10), query, **window)
    assert not matches(record(11), query, **window)
    assert not matches(record(5, service="cart"), query, **window)
    assert not matches(record(5, level=LogLevel.INFO), query, **window)
    assert matches(record(5), LogQuery(start=AT, end=AT), **window)  # no filters: all pass


def test_newest_first_keeps_the_limit() -> None:
    records = [record(1), record(3), record(2)]
    assert [r.timestamp.minute for r in newest_first(records, 2)] == [3, 2]
