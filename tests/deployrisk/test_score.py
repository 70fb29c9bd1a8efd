"""The points table: every factor gives one reason, the score is the sum a reviewer can redo, and
the two done-when deploys (a one-line docs change at a quiet hour; a large config and migration
change at peak during an open incident) land on opposite sides with different reasons."""

from __future__ import annotations

from datetime import UTC, datetime

from nightowl.deployrisk import score
from nightowl.deployrisk.model import (
    Budget,
    Change,
    ChangeKind,
    Coverage,
    FileChange,
    History,
    JUnitSummary,
    Recommendation,
    RiskInputs,
    Traffic,
)

AT = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)
QUIET = Traffic(now=20.0, typical=40.0, days=7)
PEAK = Traffic(now=300.0, typical=150.0, days=7)


def inputs(**given: object) -> RiskInputs:
    return RiskInputs.model_validate({"service": "checkout", "version": "v2", "at": AT, **given})


def points(result: score.Assessment) -> dict[str, int]:
    return {r.factor: r.points for r in result.reasons}


def test_a_one_line_docs_change_at_a_quiet_hour_proceeds() -> None:
    docs = Change(files=(FileChange(path="docs/runbook.md", added=1, deleted=0),))
    result = score.assess(
        inputs(change=docs, traffic=QUIET, open_incidents=(), dependents=("web",))
    )
    assert result.recommendation is Recommendation.PROCEED
    assert result.score == sum(r.points for r in result.reasons)
    assert points(result)["change kinds"] == 0
    assert "docs (1)" in next(r.summary for r in result.reasons if r.factor == "change kinds")
    assert "0.50×" in next(r.summary for r in result.reasons if r.factor == "traffic")


def test_a_large_config_and_migration_change_at_peak_during_an_incident_is_delayed() -> None:
    big = Change(
        files=(
            FileChange(path="migrations/0042_orders.sql", added=400, deleted=20),
            FileChange(path="config/pool.yaml", added=30, deleted=10),
            FileChange(path="src/checkout/pay.py", added=900, deleted=300),
        )
    )
    result = score.assess(
        inputs(change=big, traffic=PEAK, open_incidents=("inc-1",), dependents=("web", "api"))
    )
    got = points(result)
    assert result.recommendation is Recommendation.DELAY
    assert got["change size"] == score.SIZE_STEPS[3][1]  # 1660 lines: ≤ 2000
    assert got["change kinds"] == score.KINDS_CAP  # migration 15 + config 10 + code 5, capped
    assert got["open incidents"] == score.OPEN_INCIDENT
    assert got["traffic"] == score.PEAK_POINTS
    assert got["blast radius"] == 3
    assert result.score == sum(got.values()) == 15 + 25 + 15 + 10 + 3


def test_every_factor_is_named_and_absent_inputs_say_so() -> None:
    result = score.assess(inputs())
    assert [r.factor for r in result.reasons] == [f(inputs()).factor for f in score.FACTORS]
    absent = {r.factor for r in result.reasons if not r.present}
    assert absent == {r.factor for r in result.reasons} - {"change freeze"}
    assert result.score == 0
    assert result.recommendation is Recommendation.PROCEED


def test_an_unavailable_input_says_why() -> None:
    result = score.assess(inputs(unavailable={"traffic": "the traffic query failed: timeout"}))
    traffic = next(r for r in result.reasons if r.factor == "traffic")
    assert traffic.summary == "the traffic query failed: timeout"
    assert not traffic.present


def test_history_tests_coverage_budget_and_freeze_score_by_the_table() -> None:
    result = score.assess(
        inputs(
            history=History(
                deploys=5, failed=2, window_hours=24, days=90, recent_incidents=4, recent_days=7
            ),
            tests=JUnitSummary(tests=120, failures=1),
            coverage=Coverage(line_rate=0.78, baseline=0.84),
            budget=Budget(error_ratio=0.0009, objective=0.999),
            freeze="black friday",
        )
    )
    got = points(result)
    assert got["change-failure rate"] == 8  # 20 × 2/5
    assert got["recent incidents"] == score.RECENT_CAP  # 4 × 3 = 12, capped at 9
    assert got["tests"] == score.TESTS_FAILING
    assert got["coverage"] == 10  # a 6-point drop
    assert got["error budget"] == 10  # 90 % spent
    assert got["change freeze"] == score.FREEZE
    assert result.score == 8 + 9 + 15 + 10 + 10 + 40
    assert result.recommendation is Recommendation.DELAY


def test_too_few_deploys_are_not_rated() -> None:
    few = History(deploys=2, failed=2, window_hours=24, days=90, recent_incidents=0, recent_days=7)
    reason = score.change_failures(inputs(history=few))
    assert reason.points == 0
    assert "too few" in reason.summary


def test_the_thresholds_keep_a_change_alone_below_delay() -> None:
    worst = Change(
        files=tuple(
            FileChange(path=p, added=5000, kind=k)
            for p, k in (("a.sql", ChangeKind.MIGRATION), ("b.yaml", ChangeKind.CONFIG))
        )
    )
    result = score.assess(inputs(change=worst))
    assert result.score == score.SIZE_CAP + score.KINDS_CAP < score.DELAY
    assert result.recommendation is Recommendation.CAUTION
