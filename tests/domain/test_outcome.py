"""How an incident ended and why, and what a human must do: one sentence for every surface."""

from __future__ import annotations

from datetime import timedelta

from nightowl.analysis.nodata import untested
from nightowl.domain import (
    ActionResult,
    ActionSpec,
    ActionStatus,
    Autonomy,
    Decision,
    Incident,
    IncidentStatus,
    Observations,
    Risk,
    StageName,
    StageRecord,
    StageStatus,
    Verdict,
    outcome_of,
)
from tests.report.test_markdown import T, incident

SPEC = ActionSpec(
    kind="rollback",
    service="checkout",
    params={"to_version": "v2.3.9"},
    runbook="rollback-bad-deploy",
    risk=Risk.LOW,
    reason="bad deploy v2.4.0",
    rollback="re-deploy v2.4.0",
    idempotency_key="k",
)


def decision(verdict: Verdict, *rules: str) -> Decision:
    return Decision(
        idempotency_key="k",
        action_kind="rollback",
        verdict=verdict,
        autonomy=Autonomy.SUGGEST,
        reasons=("autonomy is 'suggest' globally",),
        decided_at=T,
        rules=("guardrail.autonomy", *rules),
    )


def previewed() -> ActionResult:
    return ActionResult(
        kind="rollback",
        service="checkout",
        idempotency_key="k",
        driver="kubernetes",
        status=ActionStatus.DRY_RUN,
        dry_run=True,
        started_at=T,
        finished_at=T + timedelta(seconds=1),
        pre_state={"version": "v2.4.0"},
        post_state={"version": "v2.4.0"},
        message="dry run: would kubectl rollout undo deployment/checkout -n shop --to-revision=41",
    )


def test_an_approved_dry_run_names_the_plan_a_human_must_run() -> None:
    o = outcome_of(
        incident(
            status=IncidentStatus.ESCALATED,
            plan=(SPEC,),
            decisions=(decision(Verdict.ALLOW, "approval.approved"),),
            actions=(previewed(),),
            verification=None,
        )
    )

    assert o.status is IncidentStatus.ESCALATED
    assert o.headline == (
        "escalated: dry run: the rollback of checkout to v2.3.9 was approved but not executed "
        "(actions.dry_run is on) — a human must run it: "
        "kubectl rollout undo deployment/checkout -n shop --to-revision=41"
    )


def test_a_failed_stage_escalates_and_says_which() -> None:
    failed = StageRecord(
        stage=StageName.GATE,
        status=StageStatus.FAILED,
        started_at=T,
        error="freeze window 'nightly': bad cron '61 * * * *'",
    )

    o = outcome_of(incident(status=IncidentStatus.INVESTIGATING, stages=(failed,)))

    assert o.status is IncidentStatus.ESCALATED
    assert o.why == (
        "the gate stage failed (freeze window 'nightly': bad cron '61 * * * *'), so the run "
        "stopped early"
    )
    assert o.human_action is not None
    assert "take over" in o.human_action


def test_a_denied_action_leaves_the_decision_to_a_human() -> None:
    o = outcome_of(
        incident(
            status=IncidentStatus.ESCALATED,
            plan=(SPEC,),
            decisions=(decision(Verdict.DENY),),
            actions=(),
            verification=None,
        )
    )

    assert o.why == "the rollback was denied by policy (autonomy is 'suggest' globally)"
    assert o.human_action == (
        "a human must decide whether to roll back checkout to v2.3.9: bad deploy v2.4.0"
    )


def test_an_approvers_denial_and_an_expired_request_are_told_apart() -> None:
    def why(*rules: str) -> str:
        return outcome_of(
            incident(
                status=IncidentStatus.ESCALATED,
                plan=(SPEC,),
                decisions=(decision(Verdict.DENY, *rules),),
                actions=(),
                verification=None,
            )
        ).why

    assert why("approval.denied").startswith("the rollback was denied by an approver")
    assert why("approval.expired").startswith(
        "the rollback was held for approval, and the request expired unanswered"
    )


def test_a_diagnosis_without_a_runbook_must_be_remediated_by_hand() -> None:
    o = outcome_of(
        incident(
            status=IncidentStatus.ESCALATED, plan=(), decisions=(), actions=(), verification=None
        )
    )

    assert o.why == "no runbook applies to the diagnosed bad deploy on checkout"
    assert o.human_action == "a human must remediate it by hand"


def test_a_resolved_incident_needs_nobody() -> None:
    o = outcome_of(incident())

    assert o.status is IncidentStatus.RESOLVED
    assert o.human_action is None
    assert o.headline == "resolved: recovered: checkout latency_p99 0.26 ≤ 0.375"


def test_waiting_for_an_approver_is_said_so() -> None:
    o = outcome_of(
        incident(
            status=IncidentStatus.AWAITING_APPROVAL, decisions=(), actions=(), verification=None
        )
    )

    assert o.why == "an action is waiting for an approver"


def _on_no_data(obs: Observations | None) -> Incident:
    """An incident whose diagnosis had no data: every hypothesis untested, no root cause."""
    base = incident()
    assert base.diagnosis is not None
    _, diagnosis = untested(base.diagnosis.hypotheses, obs, T)
    return incident(
        status=IncidentStatus.ESCALATED,
        diagnosis=diagnosis,
        plan=(),
        decisions=(),
        actions=(),
        verification=None,
    )


def test_no_data_sources_is_the_reason_not_a_search_that_found_nothing() -> None:
    o = outcome_of(_on_no_data(None))

    assert o.why == "no data sources configured: no hypothesis could be tested"
    assert o.human_action is not None
    assert "configure a metrics, logs or cluster connector" in o.human_action
    assert "evidence below" not in o.human_action  # there is none


def test_sources_that_returned_nothing_send_the_human_to_check_them() -> None:
    empty = Observations(
        service="checkout", start=T, end=T, services=("checkout",), sources={"metrics": "prom"}
    )
    o = outcome_of(_on_no_data(empty))

    assert o.why.startswith("no data gathered: the data sources returned nothing")
    assert o.human_action is not None
    assert "nightowl check connectors" in o.human_action
