"""Safety state every worker shares: the kill switch, and approval requests with their answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model
from nightowl.domain.remediation import ActionSpec, BlastRadius


class KillSwitch(Model):
    """While ``on``, nightowl writes nothing anywhere: no action, no rollback."""

    on: bool = False
    by: str | None = None
    reason: str = ""
    at: datetime | None = None

    def message(self) -> str:
        """The one sentence every halted write reports."""
        who = f" by {self.by}" if self.by else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"the kill switch is on{who}{why}: nothing was written"


class ApprovalStatus(StrEnum):
    """Where an approval request stands; only ``pending`` can change, and only once.

    A request is answered ``approved`` or ``denied`` by a human allowed to decide, or becomes
    ``expired`` when its timeout passes first; the workflow waiting on it wakes in every case.
    """

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


class ApprovalRequest(Model):
    """One action waiting for a human: the evidence, the action, its blast radius and rollback."""

    id: str
    incident_id: str
    service: str
    action: ActionSpec
    plan: str
    blast_radius: BlastRadius | None = None
    monthly_cost_delta: float | None = None
    """What the action changes in monthly cost (a scale-out's added replicas), when priced."""
    rollback: str
    diagnosis: str
    evidence: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    status: ApprovalStatus = ApprovalStatus.PENDING
    requested_at: datetime
    expires_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str = ""


class OtherWrite(Model):
    """A real write another incident made: which incident, what action, on which service, when."""

    incident_id: str
    kind: str
    service: str
    at: datetime
