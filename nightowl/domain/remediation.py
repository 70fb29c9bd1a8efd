"""Planned actions, the gate's decisions, what was executed, and whether it worked."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model, Scalar


class Autonomy(StrEnum):
    """How far nightowl may go on its own: observe < suggest < act."""

    OBSERVE = "observe"
    SUGGEST = "suggest"
    ACT = "act"


class Risk(StrEnum):
    READ_ONLY = "read_only"
    LOW = "low"
    HIGH = "high"


class ActionSpec(Model):
    """A remediation step chosen by a runbook: what to do, to which service, and how to undo it."""

    kind: str
    service: str
    params: dict[str, Scalar] = {}
    runbook: str
    risk: Risk
    reason: str
    rollback: str
    idempotency_key: str


class Verdict(StrEnum):
    ALLOW = "allow"
    REQUIRE_APPROVAL = "require_approval"
    DENY = "deny"


class Decision(Model):
    idempotency_key: str
    action_kind: str
    verdict: Verdict
    autonomy: Autonomy
    reasons: tuple[str, ...]
    decided_at: datetime


class ActionStatus(StrEnum):
    SUCCEEDED = "succeeded"
    DRY_RUN = "dry_run"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"


class ActionResult(Model):
    """What a driver did (or, in dry-run, would have done), with the state before and after."""

    kind: str
    service: str
    idempotency_key: str
    driver: str
    status: ActionStatus
    dry_run: bool
    started_at: datetime
    finished_at: datetime
    pre_state: dict[str, Scalar] = {}
    post_state: dict[str, Scalar] = {}
    message: str = ""


class SignalCheck(Model):
    service: str
    signal: str
    baseline: float | None
    observed: float | None
    limit: float | None
    ok: bool


class Verification(Model):
    recovered: bool
    checked_at: datetime
    window_start: datetime
    window_end: datetime
    checks: tuple[SignalCheck, ...]
    summary: str
    rolled_back: bool = False
