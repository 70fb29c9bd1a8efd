"""When a drifted column pages: persistence over consecutive checks within a stated budget of
false pages per week.

One check controls its error across the columns (BH at α: under the null — a model whose data did
not change — the chance that the check flags anything is at most α, with independent or
positively dependent p-values; the size floor only removes flags). Over time it does not: an
hourly check is 168 checks a week, up to 168·α ≈ 8.4 false pages a week at α = 0.05 (``nightowl
bench drift`` measured 4.4–5). ``Paging`` spends a budget of ``false_pages_per_week`` (B) on two
paths, half each, with n = checks per week and f = the families tested apart in one check (the
features; the prediction; the performance), each at α:

* **persistence** — a column pages once it is flagged in k consecutive checks. Disjoint windows
  of an unchanged model are independent, and a k-streak of any column of one family needs that
  family to flag something in each of the k checks, so false streaks start at most n·f·α^k times
  a week; k is the smallest with n·f·α^k ≤ B/2 (hourly, α = 0.05, f ≤ 2: k = 3).
* **at once** — a column whose adjusted p-value is below B/(2·n·f) pages on its first check (each
  family is then a BH test at that level: at most B/2 false pages a week in all); a drift that
  strong (a unit change, a new category rolled out at once) need not wait.

The two together stay within B. Neither number is fitted to a benchmark: k and the at-once level
follow from α, the schedule and the budget, and the benchmark reports what they cost in delay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

MINUTES_PER_WEEK = 7 * 24 * 60
MAX_CONSECUTIVE = 24
"""The longest persistence asked for (a day of hourly checks): a budget that needs more is
better met by checking less often."""


class Paging(BaseModel):
    """How a drift watcher turns flagged columns into pages. The default budget, one false page
    a month per model (0.25 a week), is what a team can afford from a model that did not change:
    a page an SRE learns to ignore is worse than a drift seen two hours later."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    false_pages_per_week: float = Field(default=0.25, gt=0, le=168)
    consecutive: int | None = Field(default=None, ge=1, le=MAX_CONSECUTIVE)
    """k; None: the smallest k within half the budget."""
    at_once: bool = True
    """Whether a column whose adjusted p-value is below the at-once level pages at once."""


@dataclass(frozen=True, slots=True)
class PagingPlan:
    """What ``Paging`` means for one watcher: k, the at-once level (0: off) and the bound on
    false pages per week the two give together."""

    consecutive: int
    at_once_p: float
    bound_per_week: float

    def pages(self, streak: int, adjusted_p: float) -> bool:
        """Whether a column flagged in ``streak`` consecutive checks (this one included), with
        this check's adjusted p-value, pages now."""
        return streak >= self.consecutive or adjusted_p < self.at_once_p


def plan(paging: Paging, alpha: float, window_minutes: int, families: int = 1) -> PagingPlan:
    """The plan of a watcher checking every ``window_minutes`` at level ``alpha`` with
    ``families`` families of tests apart in one check."""
    n = MINUTES_PER_WEEK / window_minutes
    half = paging.false_pages_per_week / 2
    k = paging.consecutive or consecutive_for(half, alpha, n, families)
    at_once = half / (n * families) if paging.at_once else 0.0
    bound = n * families * (alpha**k + at_once)
    return PagingPlan(consecutive=k, at_once_p=at_once, bound_per_week=bound)


def consecutive_for(budget: float, alpha: float, checks_per_week: float, families: int) -> int:
    """The smallest k with checks·families·α^k ≤ budget (at most ``MAX_CONSECUTIVE``)."""
    need = math.log(budget / (checks_per_week * families)) / math.log(alpha)
    return min(MAX_CONSECUTIVE, max(1, math.ceil(need - 1e-9)))
