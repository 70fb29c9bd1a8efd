"""Template-level evidence: top errors, new templates, deploy differences, raw-line links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.analysis.logs.evidence import (
    deploy_diff,
    new_templates_in_last,
    new_templates_since,
    top_error_templates,
)
from nightowl.analysis.logs.mined import mine_records
from nightowl.domain.signals import LogLevel, LogRecord

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
DEPLOY = T0 + timedelta(hours=1)


def rec(minute: float, level: LogLevel, message: str, service: str = "api") -> LogRecord:
    return LogRecord(
        timestamp=T0 + timedelta(minutes=minute), service=service, level=level, message=message
    )


def incident() -> list[LogRecord]:
    """An hour of normal traffic, a deploy, then a new error and a slower dependency."""
    records: list[LogRecord] = []
    for m in range(0, 120, 2):
        records.append(rec(m, LogLevel.INFO, f"GET /orders/{m} 200 in {m % 7 + 3} ms"))
        if m % 10 == 0:
            records.append(rec(m + 0.5, LogLevel.WARN, f"cache miss for key order:{m}"))
    for m in range(60, 120, 1):
        records.append(
            rec(m + 0.1, LogLevel.ERROR, f"db timeout after {m % 5 + 30} s on pool-{m % 3}")
        )
    for m in range(0, 60, 10):
        records.append(rec(m + 0.2, LogLevel.INFO, f"scheduler tick {m}"))
    records.append(rec(90, LogLevel.ERROR, "payment gateway returned 502", service="payments"))
    return sorted(records, key=lambda r: r.timestamp)


def test_top_error_templates_with_counts_examples_and_lines() -> None:
    records = incident()
    top = top_error_templates(records, n=5)
    assert [t.template for t in top] == [
        "db timeout after <*> on pool-<*>",
        "payment gateway returned <*>",
    ]
    db = top[0]
    assert db.count == 60
    assert db.service == "api"
    assert db.example.startswith("db timeout after")
    assert len(db.line_indices) == 50  # capped; count is the full count
    assert all(records[i].message.startswith("db timeout") for i in db.line_indices)
    assert db.first_seen == T0 + timedelta(minutes=60.1)


def test_new_templates_since_a_deploy() -> None:
    records = incident()
    new = new_templates_since(records, DEPLOY)
    assert {t.template for t in new} == {
        "db timeout after <*> on pool-<*>",
        "payment gateway returned <*>",
    }
    assert all(records[i].timestamp >= DEPLOY for t in new for i in t.line_indices)


def test_known_state_means_not_new() -> None:
    records = incident()
    earlier = [r.model_copy(update={"timestamp": r.timestamp - timedelta(days=1)}) for r in records]
    known = mine_records(earlier).states
    assert new_templates_since(records, DEPLOY, known=known) == ()


def test_new_in_the_last_hours() -> None:
    records = incident()
    recent = new_templates_in_last(records, 0.25)  # last 15 minutes: nothing new started there
    assert recent == ()
    last_hour = new_templates_in_last(records, 1.0, now=T0 + timedelta(hours=2))
    assert "payment gateway returned <*>" in {t.template for t in last_hour}
    errors_only = new_templates_in_last(
        records, 1.0, now=T0 + timedelta(hours=2), levels={LogLevel.ERROR}
    )
    assert {t.template for t in errors_only} == {t.template for t in last_hour}
    assert new_templates_in_last([], 1.0) == ()


def test_deploy_diff() -> None:
    records = incident()
    diff = deploy_diff(records, DEPLOY, window=timedelta(hours=1))
    assert {t.template for t in diff.new} == {
        "db timeout after <*> on pool-<*>",
        "payment gateway returned <*>",
    }
    assert [t.template for t in diff.gone] == ["scheduler tick <*>"]
    assert diff.increased == diff.decreased == ()  # the request rate did not change
    gone = diff.gone[0]
    assert gone.count == 6
    assert all(records[i].timestamp < DEPLOY for i in gone.line_indices)


def test_deploy_diff_rate_changes() -> None:
    records = [rec(m, LogLevel.INFO, f"retrying call {m}") for m in range(0, 60, 10)]
    records += [rec(60 + m, LogLevel.INFO, f"retrying call {m}") for m in range(0, 60, 1)]
    diff = deploy_diff(records, DEPLOY)
    (shift,) = diff.increased
    assert (shift.before, shift.after) == (6, 60)
    assert shift.after_per_hour == 60.0
    assert all(records[i].timestamp >= DEPLOY for i in shift.line_indices)
