"""Approval requests: what the human is shown, and how a request ends (who may answer: people.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from nightowl.domain import (
    ActionResult,
    ApprovalRequest,
    ApprovalStatus,
    Decision,
    Incident,
    Verdict,
)
from nightowl.domain.units import money

TOPIC = "approval"
"""The DBOS message topic an answer is sent on (to the incident's workflow)."""


def request_id(idempotency_key: str) -> str:
    """The approval request id of an action: derived from its idempotency key, so a re-run gate
    opens the same request, not a second one.
    """
    return f"apr-{idempotency_key[:16]}"


def build(
    incident: Incident,
    decision: Decision,
    preview: ActionResult | None,
    approvers: tuple[str, ...],
    at: datetime,
    timeout_seconds: int,
    cost: float | None = None,
    currency: str = "$",
) -> ApprovalRequest:
    """The request a human is shown for one decision: the action, its plan and blast radius from
    the dry run, the diagnosis and the evidence that supports it (at most ten), who may answer,
    and when it expires; ``cost``, the monthly cost delta, is shown with the plan.
    """
    action = next(a for a in incident.plan if a.idempotency_key == decision.idempotency_key)
    diagnosis = incident.diagnosis.explanation if incident.diagnosis else "no diagnosis"
    cited = set(_cited(incident))
    evidence = tuple(e.summary for e in incident.evidence if not cited or e.id in cited)[:10]
    return ApprovalRequest(
        id=request_id(action.idempotency_key),
        incident_id=incident.id,
        service=action.service,
        action=action,
        plan=(preview.message if preview else action.describe())
        + (f" ({money(cost, currency)}/month)" if cost is not None else ""),
        blast_radius=preview.blast_radius if preview else None,
        monthly_cost_delta=cost,
        rollback=action.rollback,
        diagnosis=diagnosis,
        evidence=evidence,
        reasons=decision.reasons,
        approvers=approvers,
        requested_at=at,
        expires_at=at + timedelta(seconds=timeout_seconds),
    )


def _cited(incident: Incident) -> tuple[str, ...]:
    """The evidence ids supporting the diagnosed root cause (empty: show all evidence)."""
    if incident.diagnosis is None:
        return ()
    cause = incident.diagnosis.root_cause
    for h in incident.diagnosis.hypotheses:
        if cause is not None and (h.kind, h.service) == (cause.kind, cause.service):
            return h.supporting
    return ()


def resolved(decision: Decision, request: ApprovalRequest, at: datetime) -> Decision:
    """The gate's decision after the human's answer (or the request's expiry)."""
    if request.status is ApprovalStatus.APPROVED:
        verdict, reason = Verdict.ALLOW, f"approved by {request.decided_by}"
    elif request.status is ApprovalStatus.DENIED:
        verdict, reason = Verdict.DENY, f"denied by {request.decided_by}"
    else:
        verdict = Verdict.DENY
        reason = (
            f"the approval request expired at {request.expires_at:%Y-%m-%d %H:%M} UTC unanswered"
        )
    if request.reason:
        reason += f": {request.reason}"
    return decision.model_copy(
        update={
            "verdict": verdict,
            "reasons": (*decision.reasons, reason),
            "rules": (*decision.rules, f"approval.{request.status.value}"),
            "decided_at": at,
        }
    )
