"""Change-freeze windows: cron expressions (fields, ranges, steps, lists, Sunday as 0 or 7, the
either-day rule) read by croniter, and windows that cannot be evaluated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nightowl.policy.freeze import active_freeze, cron_matches
from nightowl.settings import FreezeWindow

AT = datetime(2030, 1, 4, 3, 0, tzinfo=UTC)  # a Friday, 03:00 UTC


@pytest.mark.parametrize(
    ("expression", "at", "matches"),
    [
        ("* 16-23 * * 5", datetime(2030, 1, 4, 17, 30, tzinfo=UTC), True),
        ("* 16-23 * * 5", datetime(2030, 1, 4, 15, 59, tzinfo=UTC), False),
        ("*/15 * * * *", datetime(2030, 1, 4, 15, 30, tzinfo=UTC), True),
        ("0 0 24-31 12 *", datetime(2030, 12, 25, 0, 0, tzinfo=UTC), True),
        ("* * * * 0,6", datetime(2030, 1, 5, 12, 0, tzinfo=UTC), True),
    ],
)
def test_cron_windows(expression: str, at: datetime, matches: bool) -> None:
    assert cron_matches(expression, at) is matches


def test_a_cron_the_settings_would_refuse_raises_a_value_error() -> None:
    with pytest.raises(ValueError, match="out of range"):
        cron_matches("* 25 * * *", AT)


def test_sunday_is_0_or_7_and_either_restricted_day_field_counts() -> None:
    sunday = datetime(2030, 1, 6, 12, 0, tzinfo=UTC)
    assert cron_matches("* * * * 7", sunday)
    assert cron_matches("* * * * 0", sunday)
    # day 1 of the month OR a Sunday, as cron reads two restricted day fields
    assert cron_matches("* * 1 * 0", sunday)
    assert cron_matches("* * 1 * 0", datetime(2030, 1, 1, 12, 0, tzinfo=UTC))  # a Tuesday
    assert not cron_matches("* * 1 * 0", datetime(2030, 1, 2, 12, 0, tzinfo=UTC))


def test_lists_ranges_steps_and_names() -> None:
    assert cron_matches("0,30 9-17/4 * 1 mon-fri", datetime(2030, 1, 4, 13, 30, tzinfo=UTC))
    assert not cron_matches("0,30 9-17/4 * 1 mon-fri", datetime(2030, 1, 4, 12, 30, tzinfo=UTC))
    assert not cron_matches("0,30 9-17/4 * 1 mon-fri", datetime(2030, 1, 5, 13, 30, tzinfo=UTC))


def test_the_first_window_covering_the_service_and_the_time_wins() -> None:
    start, end = datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 5, tzinfo=UTC)
    holidays = FreezeWindow(name="holidays", start=start, end=end, services=["payments"])
    fridays = FreezeWindow(name="fridays", cron="* * * * 5")
    windows = [holidays, fridays]
    assert active_freeze(windows, "payments", AT) is holidays
    assert active_freeze(windows, "checkout", AT) is fridays  # holidays are payments' only
    assert active_freeze(windows, "payments", end) is None  # the end is not frozen (a Saturday)
    assert active_freeze([], "payments", AT) is None
