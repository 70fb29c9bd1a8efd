"""Change-freeze windows: absolute ranges, or cron expressions whose matching minutes are frozen.

The settings check every window when they load (``nightowl.settings.cron``); ``croniter`` reads the
cron expressions. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from croniter import croniter

from nightowl.domain import utc
from nightowl.settings import FreezeWindow


def cron_matches(expression: str, at: datetime) -> bool:
    """True when ``at`` (in UTC) falls in a minute the five-field cron ``expression`` names.

    As in cron, when both day-of-month and day-of-week are restricted a day matching either
    counts; Sunday is 0 or 7. Raises ValueError (croniter's errors are ValueErrors) for an
    expression the settings would have refused.
    """
    return bool(croniter.match(expression, utc(at)))


def active_freeze(
    windows: Sequence[FreezeWindow], service: str, at: datetime
) -> FreezeWindow | None:
    """The first window that freezes ``service`` at ``at``, if any.

    Raises ValueError when a window cannot be evaluated (the gate then treats it as frozen).
    """
    for window in windows:
        if window.services and service not in window.services:
            continue
        if window.cron is not None:
            frozen = cron_matches(window.cron, at)
        elif window.start is None or window.end is None:
            raise ValueError(f"freeze {window.name!r} has neither a cron nor a start and an end")
        else:
            frozen = utc(window.start) <= utc(at) < utc(window.end)
        if frozen:
            return window
    return None
