"""Posture KPIs from tracked findings: open by severity, time to fix critical ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nightowl.watchers.cve.posture import posture

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    severity_word: str
    is_open: bool
    first_seen: datetime
    fixed_at: datetime | None = None


def test_open_by_severity_and_time_to_fix_critical() -> None:
    rows = [
        Row("critical", True, T0),
        Row("high", True, T0),
        Row("high", True, T0),
        Row("critical", False, T0, T0 + timedelta(hours=4)),
        Row("critical", False, T0, T0 + timedelta(hours=10)),
        Row("critical", False, T0, T0 + timedelta(hours=40)),
        Row("high", False, T0, T0 + timedelta(days=3)),
        Row("medium", False, T0, None),  # accepted: neither open nor fixed
    ]
    found = posture(rows)
    assert found.open_by_severity == {
        "critical": 1,
        "high": 2,
        "medium": 0,
        "low": 0,
        "none": 0,
        "unknown": 0,
    }
    assert found.fixed_critical == 3
    assert found.time_to_fix_critical_seconds == 10 * 3600  # the median
    assert found.mean_time_to_fix_critical_seconds == 18 * 3600
    assert found.time_to_fix_high_seconds == 3 * 86400


def test_nothing_fixed_yet_is_absent_not_zero() -> None:
    found = posture([Row("critical", True, T0)])
    assert found.time_to_fix_critical_seconds is None
    assert found.open_by_severity["critical"] == 1
