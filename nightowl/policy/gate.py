"""The gate: may nightowl execute this action? Allow, require approval, or deny — with reasons.

Every write passes every built-in guardrail (guardrails.py), then the user's Cedar rules. The
strictest verdict wins (deny over require-approval over allow), so a forbid always wins; the
decision lists the reasons and rule ids of every finding with that verdict. Read-only steps are
allowed without the write guardrails.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nightowl.domain import ActionSpec, Decision, Risk, Verdict
from nightowl.policy.cedar import CedarRules
from nightowl.policy.facts import SEVERITY, Facts, Finding, autonomy_for, effective_tier
from nightowl.policy.guardrails import WRITE_GUARDRAILS
from nightowl.settings import PolicySettings


def evaluate(facts: Facts, policy: PolicySettings, cedar: CedarRules | None = None) -> Decision:
    """The decision on one action. Pure apart from Cedar evaluation; never raises for a deny."""
    action = facts.action
    level = autonomy_for(action.service, policy.autonomy, policy.service_autonomy)
    if effective_tier(action, policy.tiers) is Risk.READ_ONLY:
        findings = [
            Finding(
                verdict=Verdict.ALLOW, rule="tier.read_only", reason="read-only: changes nothing"
            )
        ]
    else:
        findings = [f for rail in WRITE_GUARDRAILS for f in rail(facts, policy)]
        if cedar is not None:
            findings += cedar.evaluate(facts, policy)
    verdict = max((f.verdict for f in findings), key=SEVERITY.__getitem__, default=Verdict.ALLOW)
    deciding = [f for f in findings if f.verdict is verdict]
    return Decision(
        idempotency_key=action.idempotency_key,
        action_kind=action.kind,
        verdict=verdict,
        autonomy=level,
        reasons=tuple(f.reason for f in deciding),
        rules=tuple(f.rule for f in deciding),
        decided_at=facts.at,
    )


def decide(
    actions: Sequence[ActionSpec],
    policy: PolicySettings,
    at: datetime,
    approval_required: bool = False,
    cedar: CedarRules | None = None,
) -> list[Decision]:
    """Decide on actions with nothing but the settings known (no preview, counts or kill switch)."""
    return [
        evaluate(Facts(action=a, at=at, runbook_requires_approval=approval_required), policy, cedar)
        for a in actions
    ]
