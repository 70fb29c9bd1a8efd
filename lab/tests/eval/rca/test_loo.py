"""Leave one group out: each held-out group is scored with the variant best on the others."""

from __future__ import annotations

from nightowl_lab.eval.rca.loo import leave_one_out
from nightowl_lab.eval.rca.runner import CaseResult, RcaResult


def _run(hits: dict[str, list[bool]]) -> RcaResult:
    """One variant's results: per group, whether each case's root cause came first."""
    results = [
        CaseResult(
            name=f"{group}-{i}",
            group=group,
            fault_kind="k",
            root_cause="x",
            rank=1 if hit else 2,
            named="x" if hit else None,
            top=("x",),
        )
        for group, cases in hits.items()
        for i, hit in enumerate(cases)
    ]
    return RcaResult(results=tuple(results), seconds=1.0)


def test_a_variant_that_wins_only_on_the_scored_group_is_not_chosen_for_it() -> None:
    runs = {
        # best on A only; the held-out A is therefore scored with "steady"
        "fitted": _run({"A": [True, True], "B": [False, False], "C": [False, False]}),
        "steady": _run({"A": [False, True], "B": [True, True], "C": [True, True]}),
    }
    result = leave_one_out(runs, "group")
    assert result.chosen == {"A": "steady", "B": "steady", "C": "steady"}
    assert result.held_out.scorecard("A").ac[0] == 0.5
    assert result.held_out.scorecard().ac[0] == 5 / 6
    assert result.in_sample == "steady"


def test_each_group_is_scored_once_with_its_own_choice() -> None:
    runs = {
        "one": _run({"A": [True], "B": [False], "C": [True]}),
        "two": _run({"A": [False], "B": [True], "C": [False]}),
    }
    result = leave_one_out(runs, "group")
    assert sorted(r.group for r in result.held_out.results) == ["A", "B", "C"]
    assert result.chosen["B"] == "one"  # best on A and C, so B is scored with it (and misses)
    assert result.held_out.scorecard("B").ac[0] == 0.0
