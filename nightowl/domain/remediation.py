"""Planned actions, the gate's decisions, what was executed, and whether it worked."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from nightowl.domain.base import Model, Scalar


class Autonomy(StrEnum):
    """How far nightowl may go on its own: observe < suggest < act < act_high.

    ``act`` executes low-risk actions and asks a human for high-risk ones; ``act_high`` also
    executes high-risk actions that every guardrail allows.
    """

    OBSERVE = "observe"
    SUGGEST = "suggest"
    ACT = "act"
    ACT_HIGH = "act_high"


class Risk(StrEnum):
    """How much harm an action can do: ``read_only`` never writes, ``low`` is narrow and
    undoable, ``high`` is wider or harder to undo; the autonomy level says which risk may act
    unattended.
    """

    READ_ONLY = "read_only"
    LOW = "low"
    HIGH = "high"


READ_ONLY_KINDS = frozenset({"wait"})
"""Action kinds that change nothing and need no driver; every other kind is at least a low-risk
write."""


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

    def describe(self) -> str:
        """The action as a person reads it: ``rollback checkout (to_version=v2.4.0)``."""
        args = ", ".join(f"{key}={value}" for key, value in self.params.items())
        return f"{self.kind} {self.service}" + (f" ({args})" if args else "")


class Verdict(StrEnum):
    """The gate's answer for one planned action; ``deny`` is final for this round."""

    ALLOW = "allow"
    REQUIRE_APPROVAL = "require_approval"
    DENY = "deny"


class Decision(Model):
    """The gate's verdict on one action, with the reasons and the rules that decided it."""

    idempotency_key: str
    action_kind: str
    verdict: Verdict
    autonomy: Autonomy
    reasons: tuple[str, ...]
    decided_at: datetime
    rules: tuple[str, ...] = ()


class BlastRadius(Model):
    """How much of a service one action touches, as measured by the driver's dry run."""

    replicas_before: int | None = None
    replicas_after: int | None = None
    pods_at_once: int = 0
    capacity_fraction: float = Field(
        default=0.0, description="Share of the serving capacity taken away while it runs."
    )
    summary: str = ""


class ActionStatus(StrEnum):
    """How an action ended: applied, only previewed (dry run), failed, or applied and then
    undone.
    """

    SUCCEEDED = "succeeded"
    DRY_RUN = "dry_run"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"


class ActionState(Model):
    """What a driver read of its target before or after an action.

    The facts other stages read are typed fields: ``replicas`` (the gate's blast radius) and
    ``version`` (what a rollback restores). What only the driver itself needs to undo its own
    action — a pull request's branch, a file's base sha, a hook's name, a pid — is in ``facts``,
    read back by the module that wrote it. A flat mapping (what drivers build, and what rows
    stored before the state was typed hold) is read into the fields and ``facts``.
    """

    replicas: int | None = None
    version: str | None = None
    facts: dict[str, Scalar] = {}

    def flat(self) -> dict[str, Scalar]:
        """The state as one mapping (for display, for a driver's own undo, for the wire)."""
        typed = {"replicas": self.replicas, "version": self.version}
        return {**{k: v for k, v in typed.items() if v is not None}, **self.facts}

    @model_validator(mode="before")
    @classmethod
    def _from_flat(cls, value: Any) -> Any:
        if not isinstance(value, Mapping) or ("facts" in value and set(value) <= TYPED):
            return value
        facts = dict(value)
        out: dict[str, Any] = {}
        replicas = facts.get("replicas")
        if isinstance(replicas, int) and not isinstance(replicas, bool):
            out["replicas"] = facts.pop("replicas")
        if isinstance(facts.get("version"), str):
            out["version"] = facts.pop("version")
        return {**out, "facts": facts}


TYPED = {"replicas", "version", "facts"}


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
    pre_state: ActionState = ActionState()
    post_state: ActionState = ActionState()
    message: str = ""
    blast_radius: BlastRadius | None = None


class SignalCheck(Model):
    """One symptom re-read by verify: the baseline before the incident, what is observed now, the
    limit it must be under, and whether it is. ``observed`` is None when the signal could not be
    read, and such a check never passes.
    """

    service: str
    signal: str
    baseline: float | None
    observed: float | None
    limit: float | None
    ok: bool


class Verification(Model):
    """Verify's verdict on a round: did every checked symptom recover within the window.

    ``rolled_back`` is True when the round's writes were undone because they did not help. The
    window is the span re-read after the actions; ``summary`` is the sentence for the report.
    """

    recovered: bool
    checked_at: datetime
    window_start: datetime
    window_end: datetime
    checks: tuple[SignalCheck, ...]
    summary: str
    rolled_back: bool = False
    deferred: bool = False
    """Recovery is not judged on metrics here: a watcher's next run re-checks it (a model's
    drift), so the writes stay and a human closes the incident."""
