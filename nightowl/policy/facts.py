"""What the policy looks at for one action, gathered by the gate stage before it decides."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain import ActionSpec, Autonomy, BlastRadius, Model, Risk, Verdict
from nightowl.domain.control import OtherWrite
from nightowl.domain.remediation import READ_ONLY_KINDS


class Criticality(StrEnum):
    """How much a service matters (``policy.criticality``, default medium): critical services
    never act unattended, high-criticality ones not with a high-risk action.
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Facts(Model):
    """The action and everything known around it when the gate runs.

    ``blast_radius`` comes from the driver's dry run (None when there was none); the write counts
    come from the store; ``killswitch`` from the control table, read just now.
    """

    action: ActionSpec
    incident_id: str = ""
    at: datetime
    killswitch: bool = False
    killswitch_reason: str = ""
    driver_available: bool = True
    preview_error: str | None = None
    preview_retryable: bool = False
    blast_radius: BlastRadius | None = None
    runbook_requires_approval: bool = False
    writes_service_last_hour: int = 0
    writes_incident: int = 0
    others: tuple[OtherWrite, ...] = ()
    """Real writes by other incidents on this incident's services, recently (``breakers``)."""
    dependents: int | None = None
    """How many services depend on the action's service, directly or through others (the
    knowledge graph's fan-in); None when the graph is not consulted or cannot be read."""


class Finding(Model):
    """One rule's say: a verdict, the rule's id, and a reason a human can read."""

    verdict: Verdict
    rule: str
    reason: str


SEVERITY = {Verdict.ALLOW: 0, Verdict.REQUIRE_APPROVAL: 1, Verdict.DENY: 2}

MINIMUM_TIER: dict[str, Risk] = {
    "drain_node": Risk.HIGH,
    "patch_resources": Risk.HIGH,
    "ssh": Risk.HIGH,
    "pull_request": Risk.LOW,
    "pull_request_comment": Risk.LOW,
}
"""Kinds a runbook may not declare below this tier (a runbook can raise a tier, never lower it)."""


def effective_tier(action: ActionSpec, overrides: dict[str, Risk]) -> Risk:
    """The action's tier: the operator's override, else the runbook's, raised to the kind's floor.

    A runbook cannot make a write read-only: only ``wait`` steps and kinds the operator lists as
    ``read_only`` in ``policy.tiers`` are.
    """
    if action.kind in overrides:
        return overrides[action.kind]
    if action.kind in READ_ONLY_KINDS:
        return Risk.READ_ONLY
    order = [Risk.READ_ONLY, Risk.LOW, Risk.HIGH]
    floor = MINIMUM_TIER.get(action.kind, Risk.LOW)
    return max(action.risk, floor, key=order.index)


def autonomy_for(service: str, autonomy: Autonomy, per_service: dict[str, Autonomy]) -> Autonomy:
    """The autonomy for ``service``: its own entry in ``policy.service_autonomy``, else the
    global one.
    """
    return per_service.get(service, autonomy)
