"""A drift watcher's memory across runs: how many consecutive checks flagged each column, read
back from the watcher's own findings (``WatchContext.previous``), so it survives a restart and
lives where people see it (``nightowl watch list``).

A column flagged but not yet paging is a pending finding (resource ``<model>/pending:<column>``,
severity ``info``, evidence ``consecutive_checks``); a paging one has the column's own resource.
A run that does not flag a column returns neither, so the store marks it fixed and the streak
ends. A pending finding last seen more than ``GAP`` windows ago starts over (the checks in
between did not run, so they were not consecutive); a paging one stays paging while flagged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from nightowl.domain.findings import Finding, FindingState

PENDING = "pending:"
GAP = 1.5
"""Windows between two runs that still count as consecutive (one window plus the scheduler's
jitter; a missed run breaks the streak)."""


class Streaks:
    """The consecutive checks of each column of one model before this run."""

    def __init__(
        self,
        model: str,
        previous: tuple[Finding, ...],
        now: datetime | None,
        window_minutes: int,
    ) -> None:
        self.model = model
        self.by_resource = {f.resource: f for f in previous if f.state is not FindingState.FIXED}
        self.since = now - timedelta(minutes=GAP * window_minutes) if now else None

    def confirmed(self, resource: str) -> bool:
        """Whether the column already pages (a paging finding is still tracked)."""
        return f"{self.model}/{resource}" in self.by_resource

    def of(self, resource: str) -> int:
        """The column's consecutive flagged checks, this run included."""
        before = self.by_resource.get(f"{self.model}/{resource}")
        if before is None:
            before = self.by_resource.get(f"{self.model}/{PENDING}{resource}")
            fresh = before is not None and (
                self.since is None or (before.last_seen or self.since) >= self.since
            )
            if not fresh:
                return 1
        assert before is not None
        count = before.evidence.get("consecutive_checks", 0)
        return (int(count) if isinstance(count, int | float) else 0) + 1
