"""The agent's KPIs, computed from a store holding incidents that ended every way they can."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.domain import (
    ActionResult,
    ActionSpec,
    ActionStatus,
    ApprovalRequest,
    ApprovalStatus,
    Autonomy,
    Decision,
    Diagnosis,
    IncidentStatus,
    Risk,
    RootCause,
    Severity,
    Verdict,
    Verification,
)
from nightowl.report.kpis import Kpis, compute
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from nightowl.store.kpi_rows import kpi_rows
from nightowl.store.llm import LlmCall, LlmStore

T = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IncidentStore]:
    opened = IncidentStore.open(f"sqlite:///{tmp_path / 'kpis.sqlite'}")
    yield opened
    opened.close()


def open_incident(store: IncidentStore, name: str, minutes_to_diagnose: float | None) -> None:
    store.create_incident(
        incident_id=name,
        correlation_key=name,
        title=name,
        service="checkout",
        severity=Severity.CRITICAL,
        opened_at=T,
    )
    if minutes_to_diagnose is not None:
        store.save_diagnosis(
            name,
            Diagnosis(
                root_cause=RootCause(kind="bad_deploy", service="checkout", summary="x"),
                confidence=0.9,
                explanation="x",
                hypotheses=(),
                decided_at=T + timedelta(minutes=minutes_to_diagnose),
            ),
        )


def act(
    store: IncidentStore,
    name: str,
    status: ActionStatus,
    *,
    approved: bool = False,
    dry_run: bool = False,
) -> None:
    key = f"{name}-key"
    rules = ("approval.approved",) if approved else ()
    store.save_decisions(
        name,
        [
            Decision(
                idempotency_key=key,
                action_kind="rollback",
                verdict=Verdict.ALLOW,
                autonomy=Autonomy.ACT,
                reasons=("ok",),
                decided_at=T,
                rules=rules,
            )
        ],
    )
    store.save_action(
        name,
        ActionResult(
            kind="rollback",
            service="checkout",
            idempotency_key=key,
            driver="sim",
            status=status,
            dry_run=dry_run,
            started_at=T,
            finished_at=T,
        ),
    )


def verify(store: IncidentStore, name: str, recovered: bool, minutes: float) -> None:
    at = T + timedelta(minutes=minutes)
    store.save_verification(
        name,
        Verification(
            recovered=recovered,
            checked_at=at,
            window_start=at,
            window_end=at,
            checks=(),
            summary="",
        ),
    )
    store.set_status(name, IncidentStatus.RESOLVED if recovered else IncidentStatus.ESCALATED)


def ask(approvals: ApprovalStore, name: str, answer: ApprovalStatus | None) -> None:
    action = ActionSpec(
        kind="rollback",
        service="checkout",
        runbook="r",
        risk=Risk.HIGH,
        reason="x",
        rollback="y",
        idempotency_key=f"{name}-ask",
    )
    approvals.open(
        ApprovalRequest(
            id=f"apr-{name}",
            incident_id=name,
            service="checkout",
            action=action,
            plan="p",
            rollback="y",
            diagnosis="d",
            requested_at=T,
            expires_at=T + timedelta(hours=1),
        )
    )
    if answer is not None:
        approvals.decide(f"apr-{name}", answer, by="alice", reason="", at=T)


def test_an_empty_store_has_counts_of_zero_and_no_rates(store: IncidentStore) -> None:
    kpis = compute(kpi_rows(store.engine))

    assert kpis == Kpis(llm_note=kpis.llm_note)
    assert kpis.mttr_seconds is None
    assert kpis.auto_remediation_rate is None
    assert "no LLM calls recorded" in kpis.llm_note


def test_every_kpi_from_incidents_that_ended_every_way(store: IncidentStore) -> None:
    approvals = ApprovalStore(store.engine)
    # auto: nightowl acted alone and it worked (diagnosed in 1 min, recovered at 6 min)
    open_incident(store, "auto", 1)
    act(store, "auto", ActionStatus.SUCCEEDED)
    verify(store, "auto", True, 6)
    # approved: a human approved, it worked (diagnosed in 3 min, recovered at 10 min)
    open_incident(store, "approved", 3)
    ask(approvals, "approved", ApprovalStatus.APPROVED)
    act(store, "approved", ActionStatus.SUCCEEDED, approved=True)
    verify(store, "approved", True, 10)
    # rolled back: the action did not help, rolled back, escalated
    open_incident(store, "rolledback", 2)
    act(store, "rolledback", ActionStatus.ROLLED_BACK)
    verify(store, "rolledback", False, 8)
    # denied: a human overruled the diagnosis
    open_incident(store, "denied", 2)
    ask(approvals, "denied", ApprovalStatus.DENIED)
    store.set_status("denied", IncidentStatus.ESCALATED)
    # expired, and one still open and undiagnosed
    open_incident(store, "expired", None)
    ask(approvals, "expired", ApprovalStatus.EXPIRED)
    store.set_status("expired", IncidentStatus.ESCALATED)
    open_incident(store, "open", None)
    LlmStore(store.engine).record_call(
        LlmCall(
            incident_id="auto",
            run_key="r",
            seq=1,
            role="diagnostician",
            model="m",
            input_tokens=1200,
            output_tokens=300,
            cost_usd=0.0125,
            response="{}",
            at=T,
        )
    )

    kpis = compute(kpi_rows(store.engine))

    assert (kpis.incidents, kpis.open_incidents, kpis.resolved, kpis.escalations) == (6, 1, 2, 3)
    assert kpis.mttr_seconds == pytest.approx((6 + 10) / 2 * 60)
    assert kpis.time_to_diagnose_seconds == pytest.approx((1 + 3 + 2 + 2) / 4 * 60)
    assert kpis.auto_remediated == 1
    assert kpis.auto_remediation_rate == pytest.approx(1 / 5)
    assert (
        kpis.approvals_requested,
        kpis.approvals_approved,
        kpis.approvals_denied,
        kpis.approvals_expired,
    ) == (3, 1, 1, 1)
    assert kpis.suggestion_acceptance_rate == pytest.approx(1 / 3)
    assert (kpis.actions_executed, kpis.rollbacks, kpis.diagnoses_overruled) == (3, 1, 1)
    # (1 rollback + 1 overruled) / (3 real actions + 3 incidents with a request)
    assert kpis.false_positive_rate == pytest.approx(2 / 6)
    assert kpis.llm_tokens == 1500
    assert kpis.llm_cost_usd == pytest.approx(0.0125)
    assert kpis.llm_note == "1 LLM calls recorded"


def test_dry_runs_are_not_auto_remediation(store: IncidentStore) -> None:
    open_incident(store, "dry", 1)
    act(store, "dry", ActionStatus.DRY_RUN, dry_run=True)
    verify(store, "dry", True, 5)

    kpis = compute(kpi_rows(store.engine))

    assert (kpis.auto_remediated, kpis.actions_executed) == (0, 0)
    assert kpis.auto_remediation_rate == 0.0
