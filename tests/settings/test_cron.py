"""Cron expressions of freeze windows are checked when settings load: the field, the value and what
it may be are named; a window that can never match, or ends before it starts, is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from nightowl.settings import FreezeWindow
from nightowl.settings.cron import check_cron


@pytest.mark.parametrize(
    ("expression", "field", "value"),
    [
        ("61 * * * *", "minute", "61"),
        ("* 25 * * *", "hour", "25"),
        ("* * 0 * *", "day of month", "0"),
        ("* * * 13 *", "month", "13"),
        ("* * * * 8", "day of week", "8"),
        ("*/0 * * * *", "minute", "*/0"),
        ("* 5-2x * * *", "hour", "5-2x"),
    ],
)
def test_a_bad_field_is_named_with_its_value(expression: str, field: str, value: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"the {field} field '{value}' is not valid")):
        check_cron(expression)


@pytest.mark.parametrize("expression", ["* * * *", "* * * * * *", "@daily", ""])
def test_exactly_five_fields(expression: str) -> None:
    with pytest.raises(ValueError, match="give 5: minute hour day-of-month month day-of-week"):
        check_cron(expression)


def test_an_expression_that_never_matches_is_refused() -> None:
    with pytest.raises(ValueError, match="never matches"):
        check_cron("0 0 31 2 *")


def test_good_expressions_are_kept_with_single_spaces() -> None:
    assert check_cron("0,30  9-17/4 * 1 mon-fri") == "0,30 9-17/4 * 1 mon-fri"
    assert check_cron("* * * * 5#3") == "* * * * 5#3"


def test_a_freeze_window_with_a_bad_cron_fails_validation() -> None:
    with pytest.raises(
        ValidationError, match=r"the minute field '61' is not valid \(allowed: 0-59"
    ):
        FreezeWindow(name="nights", cron="61 * * * *")


def test_a_freeze_window_ending_before_it_starts_is_refused() -> None:
    start, end = datetime(2030, 1, 5, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(
        ValidationError, match=r"freeze 'holidays' ends .* before or when it starts"
    ):
        FreezeWindow(name="holidays", start=start, end=end)
    with pytest.raises(ValidationError, match="before or when it starts"):
        FreezeWindow(name="holidays", start=start, end=start)
    assert FreezeWindow(name="holidays", start=end, end=start).end == start
