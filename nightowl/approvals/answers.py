"""A human's answer to an approval request: checked, recorded, audited.

Only a person listed for the service (``approvals.approvers``, or the '*' list) may answer, and
only a pending, unexpired request can be answered. A refused attempt is audited too, so an
approval by someone not allowed to approve leaves a trace and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from nightowl.approvals.people import approvers_for
from nightowl.domain import ApprovalRequest, ApprovalStatus
from nightowl.errors import AuthError, InputError
from nightowl.settings import Settings
from nightowl.store.approvals import ApprovalStore
from nightowl.store.audit import AuditLog


def answer(
    approvals: ApprovalStore,
    audit: AuditLog,
    settings: Settings,
    request_id: str,
    *,
    user: str,
    approve: bool,
    reason: str,
    at: datetime,
) -> ApprovalRequest:
    """Record ``user``'s answer. AuthError if they may not answer; InputError if it is too late."""
    request = approvals.get(request_id)
    allowed = approvers_for(settings.approvals, request.service)
    verb = "approve" if approve else "deny"
    if user not in allowed:
        audit.append(
            request.incident_id,
            "approval.refused",
            {"request": request_id, "user": user, "answer": verb, "allowed": list(allowed)},
            actor=user,
            at=at,
        )
        raise AuthError(
            f"{user} may not {verb} actions on {request.service}; approvers: "
            f"{', '.join(allowed) or 'none configured (approvals.approvers)'}"
        )
    if request.status is ApprovalStatus.PENDING and at >= request.expires_at:
        raise InputError(f"approval request {request_id} expired at {request.expires_at:%H:%M} UTC")
    status = ApprovalStatus.APPROVED if approve else ApprovalStatus.DENIED
    decided = approvals.decide(request_id, status, by=user, reason=reason, at=at)
    audit.append(
        request.incident_id,
        f"approval.{status.value}",
        {"request": request_id, "action": request.action.model_dump(mode="json"), "reason": reason},
        actor=user,
        at=at,
    )
    return decided
