"""Change-freeze windows: absolute ranges, or cron expressions whose matching minutes are frozen.

A cron expression has five fields — minute, hour, day of month, month, day of week (0 or 7 is
Sunday) — each ``*``, a number, a range ``a-b``, a list ``a,b`` or a step ``*/n`` / ``a-b/n``;
like cron, when both day fields are restricted a day matching either counts. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nightowl.domain import utc
from nightowl.errors import ConfigError
from nightowl.settings import FreezeWindow

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))


def parse_cron(expression: str) -> list[set[int]]:
    """The allowed values of each of the five fields; ConfigError naming the bad field."""
    parts = expression.split()
    if len(parts) != 5:
        raise ConfigError(
            f"cron {expression!r} needs 5 fields (minute hour day month weekday)",
            where="policy.freeze",
        )
    return [_field(p, name, lo, hi) for p, (name, lo, hi) in zip(parts, FIELDS, strict=True)]


def _field(text: str, name: str, lo: int, hi: int) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if span == "*":
                start, end = lo, hi
            elif "-" in span:
                a, b = span.split("-", 1)
                start, end = int(a), int(b)
            else:
                start = end = int(span)
        except ValueError:
            raise ConfigError(
                f"cron {name} field {text!r} is not valid", where="policy.freeze"
            ) from None
        if not (lo <= start <= end <= hi) or step < 1:
            raise ConfigError(
                f"cron {name} field {text!r} is outside {lo}-{hi}", where="policy.freeze"
            )
        values.update(range(start, end + 1, step))
    if name == "weekday" and 7 in values:
        values.add(0)
    return values


def cron_matches(expression: str, at: datetime) -> bool:
    """True when ``at`` (in UTC) falls in a minute the five-field cron ``expression`` names.

    As in cron, when both day-of-month and day-of-week are restricted a day matching either
    counts; Sunday is 0.
    """
    minute, hour, day, month, weekday = parse_cron(expression)
    at = utc(at)
    cron_weekday = (at.weekday() + 1) % 7  # cron: Sunday is 0
    day_fields = expression.split()[2:5:2]
    if day_fields[0] != "*" and day_fields[1] != "*":
        day_ok = at.day in day or cron_weekday in weekday
    else:
        day_ok = at.day in day and cron_weekday in weekday
    return at.minute in minute and at.hour in hour and at.month in month and day_ok


def active_freeze(
    windows: Sequence[FreezeWindow], service: str, at: datetime
) -> FreezeWindow | None:
    """The first window that freezes ``service`` at ``at``, if any."""
    for window in windows:
        if window.services and service not in window.services:
            continue
        if window.cron is not None:
            frozen = cron_matches(window.cron, at)
        else:
            start, end = window.start or at, window.end or at  # the settings require both
            frozen = utc(start) <= utc(at) < utc(end)
        if frozen:
            return window
    return None
