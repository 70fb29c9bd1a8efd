"""The service's record before a deploy: its change-failure rate and its recent incidents.

A past deploy failed when an incident of the service opened within ``window_hours`` after it. Only
what was known at ``at`` counts: a deploy whose window is still open counts only once an incident
has followed it (before that nobody knows whether it is good), and incidents after ``at`` are
never read. So a live assessment and a replayed one see the same record.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta

from nightowl.deployrisk.model import History


def history_of(
    deploys: Iterable[datetime],
    incidents: Iterable[datetime],
    at: datetime,
    *,
    window_hours: int,
    days: int,
    recent_days: int,
) -> History:
    """The History at ``at`` from the times of the service's deploys and incident openings."""
    window = timedelta(hours=window_hours)
    opened = sorted(t for t in incidents if t <= at)
    since = at - timedelta(days=days)
    rated = failed = 0
    for deployed in sorted(d for d in deploys if since <= d < at):
        first = bisect_right(opened, deployed)
        followed = first < len(opened) and opened[first] <= deployed + window
        if followed:
            failed += 1
        if followed or deployed + window <= at:
            rated += 1
    recent = len(opened) - bisect_left(opened, at - timedelta(days=recent_days))
    return History(
        deploys=rated,
        failed=failed,
        window_hours=window_hours,
        days=days,
        recent_incidents=recent,
        recent_days=recent_days,
    )
