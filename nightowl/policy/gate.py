"""The gate: may nightowl execute this action? Allow, require approval, or deny — with reasons.

For the spine this applies the autonomy level (global, overridden per service). Guardrails (blast
radius, circuit breakers, freeze windows, kill switch, Cedar rules) wrap the same entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nightowl.domain import ActionSpec, Autonomy, Decision, Risk, Verdict
from nightowl.settings import PolicySettings


def decide(
    actions: Sequence[ActionSpec],
    policy: PolicySettings,
    at: datetime,
    approval_required: bool = False,
) -> list[Decision]:
    return [_decide(a, policy, at, approval_required) for a in actions]


def _decide(
    action: ActionSpec, policy: PolicySettings, at: datetime, approval_required: bool
) -> Decision:
    autonomy = policy.service_autonomy.get(action.service, policy.autonomy)
    scope = f"for {action.service}" if action.service in policy.service_autonomy else "globally"
    if autonomy is Autonomy.OBSERVE:
        verdict, reason = (
            Verdict.DENY,
            f"autonomy is 'observe' {scope}: nightowl diagnoses but does not act",
        )
    elif autonomy is Autonomy.SUGGEST:
        verdict = Verdict.REQUIRE_APPROVAL
        reason = f"autonomy is 'suggest' {scope}: the action is proposed to a human, not executed"
    elif approval_required:
        verdict, reason = Verdict.REQUIRE_APPROVAL, f"runbook {action.runbook} requires approval"
    elif action.risk is Risk.HIGH:
        verdict, reason = Verdict.REQUIRE_APPROVAL, "high-risk actions need a human's approval"
    else:
        verdict, reason = (
            Verdict.ALLOW,
            f"autonomy is 'act' {scope} and the action is {action.risk.value} risk",
        )
    return Decision(
        idempotency_key=action.idempotency_key,
        action_kind=action.kind,
        verdict=verdict,
        autonomy=autonomy,
        reasons=(reason,),
        decided_at=at,
    )
