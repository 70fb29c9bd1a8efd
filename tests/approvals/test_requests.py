"""Approval requests: one id per action (a re-run opens the same request), and the gate's
decision after a human's answer or the request's expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nightowl.approvals.requests import request_id, resolved
from nightowl.domain import (
    ActionSpec,
    ApprovalRequest,
    ApprovalStatus,
    Autonomy,
    Decision,
    Risk,
    Verdict,
)

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
ACTION = ActionSpec(
    kind="rollback", service="checkout", params={}, runbook="bad-deploy", risk=Risk.HIGH,
    reason="deploy v2 broke checkout", rollback="redeploy v2",
    idempotency_key="inc-1-r0-rollback-0",
)  # fmt: skip
ASKED = Decision(
    idempotency_key=ACTION.idempotency_key,
    action_kind="rollback",
    verdict=Verdict.REQUIRE_APPROVAL,
    autonomy=Autonomy.ACT,
    reasons=("autonomy is 'act' globally: high-risk actions need a human",),
    decided_at=AT,
    rules=("autonomy.act",),
)


def request(status: ApprovalStatus, by: str | None = None, reason: str = "") -> ApprovalRequest:
    return ApprovalRequest(
        id=request_id(ACTION.idempotency_key), incident_id="inc-1", service="checkout",
        action=ACTION, plan="roll back checkout", rollback="redeploy v2", diagnosis="bad deploy",
        requested_at=AT, expires_at=AT + timedelta(hours=1), status=status, decided_by=by,
        reason=reason,
    )  # fmt: skip


def test_the_request_id_comes_from_the_actions_key() -> None:
    assert request_id("inc-1-r0-rollback-0") == request_id("inc-1-r0-rollback-0")
    assert request_id("inc-1-r0-rollback-0") == "apr-inc-1-r0-rollbac"
    assert request_id("a") != request_id("b")


@pytest.mark.parametrize(
    ("status", "verdict", "said"),
    [
        (ApprovalStatus.APPROVED, Verdict.ALLOW, "approved by ana: looks right"),
        (ApprovalStatus.DENIED, Verdict.DENY, "denied by ana: looks right"),
    ],
)
def test_an_answer_becomes_the_decision_with_who_and_why(
    status: ApprovalStatus, verdict: Verdict, said: str
) -> None:
    later = AT + timedelta(minutes=5)
    decided = resolved(ASKED, request(status, by="ana", reason="looks right"), later)
    assert decided.verdict is verdict
    assert decided.reasons == (*ASKED.reasons, said)  # the gate's reasons are kept
    assert decided.rules == ("autonomy.act", f"approval.{status.value}")
    assert decided.decided_at == later
    assert decided.idempotency_key == ASKED.idempotency_key


def test_an_expired_request_denies_and_says_when_it_expired() -> None:
    decided = resolved(ASKED, request(ApprovalStatus.EXPIRED), AT + timedelta(hours=2))
    assert decided.verdict is Verdict.DENY
    assert decided.reasons[-1] == "the approval request expired at 2026-11-20 04:00 UTC unanswered"
    assert decided.rules[-1] == "approval.expired"
