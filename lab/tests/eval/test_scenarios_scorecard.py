"""The scorecard's arithmetic and its regression check."""

from __future__ import annotations

from nightowl_lab.eval.scorecard import ScenarioResult, regressions, score


def result(
    service: str = "a", kind: str = "k", actions: tuple[str, ...] = ("rollback",)
) -> ScenarioResult:
    return ScenarioResult(
        name="s", truth_kind="k", truth_service="a", truth_remediation="rollback",
        kind=kind, service=service, top3=(service, "a"), actions=actions,
        unsafe=tuple(a for a in actions if a == "scale_out"), status="resolved",
        seconds_to_diagnosis=1.0,
    )  # fmt: skip


def test_score_counts_each_figure() -> None:
    card = score([result(), result(service="b", kind="x", actions=("scale_out",))])

    assert (card.top1, card.top3, card.fault_kind_accuracy) == (0.5, 1.0, 0.5)
    assert (card.remediation_rate, card.unsafe_actions) == (0.5, 1)


def test_regressions_name_what_got_worse_and_any_unsafe_action() -> None:
    good, bad = score([result()]), score([result(service="b", actions=("scale_out",))])

    assert regressions(good, good) == []
    found = regressions(bad, good)
    assert any(f.startswith("top1") for f in found)
    assert any("unsafe" in f for f in found)
