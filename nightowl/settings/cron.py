"""Cron expressions of change-freeze windows, read by ``croniter`` and checked when settings load.

Five fields — minute, hour, day of month, month, day of week (0 or 7 is Sunday; names such as
``mon`` and ``5#3``, the third Friday, as croniter reads them) — in UTC. As in cron, when both day
fields are restricted a day matching either counts. An expression that is malformed, names a value
out of range, or can never match (``0 0 31 2 *``) is a configuration error naming the field and
the value, so that no incident meets it later.
"""

from __future__ import annotations

from datetime import UTC, datetime

from croniter import CroniterBadDateError, CroniterError, croniter

FIELDS = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day of month", "1-31"),
    ("month", "1-12 or jan-dec"),
    ("day of week", "0-7 or sun-sat"),
)
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)


def check_cron(expression: str) -> str:
    """``expression`` with its fields separated by single spaces.

    Raises ValueError saying which field is wrong, what it holds and what it may hold.
    """
    parts = expression.split()
    if len(parts) != len(FIELDS):
        raise ValueError(
            f"cron {expression!r} has {len(parts)} field(s); give 5: "
            "minute hour day-of-month month day-of-week"
        )
    for index, (name, allowed) in enumerate(FIELDS):
        probe = ["*"] * len(FIELDS)
        probe[index] = parts[index]
        if not croniter.is_valid(" ".join(probe)):
            raise ValueError(
                f"cron {expression!r}: the {name} field {parts[index]!r} is not valid "
                f"(allowed: {allowed}, '*', ranges a-b, lists a,b, steps */n)"
            )
    normal = " ".join(parts)
    try:
        croniter(normal, _REFERENCE).get_next(datetime)
    except CroniterBadDateError:
        raise ValueError(f"cron {expression!r} never matches a date") from None
    except CroniterError as exc:
        raise ValueError(f"cron {expression!r} is not valid: {exc}") from None
    return normal
