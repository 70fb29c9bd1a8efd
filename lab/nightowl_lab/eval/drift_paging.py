"""How a detector's flags become pages in ``bench drift``: each detector's flags of every check,
fed through paging rules over the sequence of hourly checks — every flag pages (the old
behaviour), k consecutive checks, at once within a weekly budget, and the watcher's default
(``nightowl.mlops.paging``) — so the variants are scored on the same checks in the same run."""

from __future__ import annotations

from dataclasses import dataclass, field

from nightowl.mlops.paging import MINUTES_PER_WEEK, Paging, PagingPlan, plan

# A detector's flags of one check: feature → (the cause it names or None, its adjusted p-value;
# 1.0 when the detector gives none, so it never pages at once).
Flags = dict[str, tuple[str | None, float]]
NEVER = 10**9  # a streak no run reaches: the persistence path is off
ALPHA = 0.05  # the watcher's default level (DriftRules), not chosen here
WINDOW = 60  # hourly checks, as the bench runs them


@dataclass
class Pager:
    """One paging rule's memory over a sequence of checks (the watcher keeps it in its
    findings; here in memory)."""

    rule: PagingPlan
    streaks: dict[str, int] = field(default_factory=dict)
    paging: set[str] = field(default_factory=set)

    def step(self, flags: Flags) -> tuple[set[str], set[str]]:
        """(the features paging after this check, those that started paging with it)."""
        streaks = {f: self.streaks.get(f, 0) + 1 for f in flags}
        now = {
            f for f, (_, p) in flags.items() if f in self.paging or self.rule.pages(streaks[f], p)
        }
        started = now - self.paging
        self.streaks, self.paging = streaks, now
        return now, started


def variants() -> dict[str, PagingPlan]:
    """The paging rules compared, each with its bound on false pages per week."""
    n = MINUTES_PER_WEEK / WINDOW
    budget = Paging().false_pages_per_week
    out = {
        f"{k} consecutive" if k > 1 else "every flag": PagingPlan(k, 0.0, n * ALPHA**k)
        for k in (1, 2, 3)
    }
    out["at once only"] = PagingPlan(NEVER, budget / n, budget)
    out["default"] = plan(Paging(), ALPHA, WINDOW)
    return out
