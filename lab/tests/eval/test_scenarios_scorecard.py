"""The scorecard's arithmetic, its regression check, and how a run's actions are counted: every
incident a scenario opens, rolled back or not, and rollbacks of innocent services."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nightowl_lab.eval.scenarios import judge, primary
from nightowl_lab.eval.scorecard import (
    ActionTaken,
    ScenarioResult,
    regressions,
    score,
    unsafe_actions,
)
from nightowl_lab.sim.scenario import load_scenario

from nightowl.domain import ActionResult, ActionStatus, Incident, IncidentStatus, Severity

AT = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
SUITE = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "suite"


def result(
    service: str = "a", kind: str = "k", actions: tuple[str, ...] = ("rollback",)
) -> ScenarioResult:
    return ScenarioResult(
        name="s", truth_kind="k", truth_service="a", truth_remediation="rollback",
        kind=kind, service=service, top3=(service, "a"), actions=actions,
        unsafe=tuple(a for a in actions if a == "scale_out"), status="resolved",
        seconds_to_diagnosis=1.0,
    )  # fmt: skip


def action(kind: str, service: str, status: ActionStatus, dry_run: bool = False) -> ActionResult:
    return ActionResult(
        kind=kind, service=service, idempotency_key=f"{kind}-{service}-{status}", driver="sim",
        status=status, dry_run=dry_run, started_at=AT, finished_at=AT,
    )  # fmt: skip


def incident(
    id: str, severity: Severity, alerts: int, actions: tuple[ActionResult, ...] = ()
) -> Incident:
    return Incident(
        id=id, title=id, status=IncidentStatus.ESCALATED, service=None, severity=severity,
        category=None, opened_at=AT, updated_at=AT, alert_count=alerts, actions=actions,
    )  # fmt: skip


def test_score_counts_each_figure() -> None:
    card = score([result(), result(service="b", kind="x", actions=("scale_out",))])

    assert (card.top1, card.top3, card.fault_kind_accuracy) == (0.5, 1.0, 0.5)
    assert (card.remediation_rate, card.unsafe_actions, card.unsafe_scenarios) == (0.5, 1, 1)
    assert (card.incidents, card.undiagnosed, card.escalated) == (2, 0, 0)


def test_regressions_name_what_got_worse_and_more_unsafe_actions() -> None:
    good, bad = score([result()]), score([result(service="b", actions=("scale_out",))])

    assert regressions(good, good) == []
    found = regressions(bad, good)
    assert any(f.startswith("top1") for f in found)
    assert not any(f.startswith("top3") for f in found)  # "a" is still in the top 3
    assert any("unsafe" in f for f in found)
    assert regressions(bad, bad) == []  # a baseline with unsafe actions: only more is worse


def test_a_rollback_of_an_innocent_service_is_unsafe_even_when_not_forbidden() -> None:
    ran = [
        ActionTaken(incident_id="i1", kind="rollback", service="web", status="rolled_back"),
        ActionTaken(incident_id="i2", kind="rollback", service="db", status="succeeded"),
        ActionTaken(incident_id="i2", kind="scale_out", service="db", status="failed"),
        ActionTaken(incident_id="i2", kind="webhook", service="db", status="succeeded"),
    ]

    assert unsafe_actions(ran, ["scale_out"], "db") == ("rollback on web", "scale_out on db")


def test_judge_counts_the_actions_of_every_incident_rolled_back_or_not() -> None:
    scenario = load_scenario(SUITE / "dependency-failure-0.yaml")
    truth = scenario.truth
    assert truth is not None
    assert "rollback" in truth.forbidden_actions
    page = incident("page", Severity.CRITICAL, 3, (
        action(truth.remediation, truth.service, ActionStatus.SUCCEEDED),
        action("restart", truth.service, ActionStatus.DRY_RUN, dry_run=True),
    ))  # fmt: skip
    other = incident("other", Severity.WARNING, 1, (
        action("rollback", "caller", ActionStatus.ROLLED_BACK),
    ))  # fmt: skip

    judged = judge(scenario, primary([other, page]), [other, page])

    assert judged.incidents == 2
    assert sorted(judged.actions) == sorted([truth.remediation, "rollback"])
    assert judged.unsafe == ("rollback on caller",)
    assert judged.remediation_ok
    alone = judge(scenario, page)
    assert (alone.incidents, alone.unsafe) == (1, ())


def test_a_remedy_that_was_rolled_back_or_ran_elsewhere_does_not_remediate() -> None:
    scenario = load_scenario(SUITE / "dependency-failure-0.yaml")
    assert scenario.truth is not None
    kind = scenario.truth.remediation
    undone = incident("i", Severity.CRITICAL, 1, (
        action(kind, scenario.truth.service, ActionStatus.ROLLED_BACK),
        action(kind, "elsewhere", ActionStatus.SUCCEEDED),
    ))  # fmt: skip

    assert not judge(scenario, undone).remediation_ok


def test_primary_is_the_most_severe_then_the_largest() -> None:
    small, large = incident("s", Severity.CRITICAL, 1), incident("l", Severity.CRITICAL, 5)
    loud = incident("w", Severity.WARNING, 50)

    assert primary([loud, small, large]).id == "l"
