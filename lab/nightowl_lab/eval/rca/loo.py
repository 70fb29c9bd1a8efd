"""Leave one group out: the ranking's configuration chosen without the group it is scored on.

``VARIANTS`` are the ranking configurations worth choosing between — each with a reason of its own
(docs/rca.md), none fitted to a file. Every case is ranked once per variant; then, for each group
(a Nezha system, a PetShop target metric, a fault kind), the variant with the best AC@1 (AC@3 breaks
ties) on the *other* groups is the one whose results on the held-out group are reported. The pooled
held-out results are the estimate for a system never seen; the in-sample best is printed beside it
only to show the gap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from nightowl.analysis.rca import RankConfig
from nightowl.domain.base import Model
from nightowl_lab.eval.rca.runner import CaseResult, RcaResult, scorecard

VARIANTS: dict[str, RankConfig] = {
    "default": RankConfig(),
    "graph": RankConfig(caller_weight=0.5, explain_weight=0.5),
    "median-peer": RankConfig(peer_reference="median"),
    "traversal": RankConfig(
        peer_reference="none",
        explain_weight=1.0,
        path_weight=0.25,
        other_weight=0.0,
        correlation_weight=0.5,
    ),
}
"""``default``: each signal judged against the same signal elsewhere (the runner-up margin).
``graph``: callers credit a callee and a more anomalous callee explains its caller away.
``median-peer``: the margin over the median service instead of the runner-up. ``traversal``: the
anomaly-traversal reading of PetShop's anchor (no peer reference, callees explain callers,
correlation with the symptom)."""

Key = Callable[[CaseResult], str]
KEYS: dict[str, Key] = {
    "group": lambda r: r.group,
    "kind": lambda r: r.fault_kind or "normal",
    "metric": lambda r: r.metric or "none",
}


class LooResult(Model):
    """The held-out results pooled, the variant each held-out group was scored with, and the
    in-sample best variant for comparison."""

    by: str
    held_out: RcaResult
    chosen: dict[str, str]
    in_sample: str


def _merit(results: list[CaseResult]) -> tuple[float, float]:
    card = scorecard(results)
    return card.ac[0], card.ac[2]


def leave_one_out(runs: Mapping[str, RcaResult], by: str = "group") -> LooResult:
    """For each value of ``by`` (``group``, ``kind`` or ``metric``), score the held-out cases with
    the variant that is best on the rest; ``runs`` maps a variant's name to its results."""
    key = KEYS[by]
    first = next(iter(runs.values()))
    values = sorted({key(r) for r in first.results})
    chosen: dict[str, str] = {}
    held: list[CaseResult] = []
    for value in values:
        best = max(runs, key=lambda v: _merit([r for r in runs[v].results if key(r) != value]))
        chosen[value] = best
        held += [r for r in runs[best].results if key(r) == value]
    in_sample = max(runs, key=lambda v: _merit(list(runs[v].results)))
    seconds = sum(r.seconds for r in runs.values())
    return LooResult(
        by=by,
        held_out=RcaResult(results=tuple(held), seconds=seconds),
        chosen=chosen,
        in_sample=in_sample,
    )
