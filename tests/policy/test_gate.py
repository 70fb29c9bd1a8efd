"""The gate: autonomy (global and per service), runbook approval and risk decide each action."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nightowl.domain import ActionSpec, Autonomy, Risk, Verdict
from nightowl.policy.gate import decide
from nightowl.settings import PolicySettings

AT = datetime(2026, 11, 20, 3, 3, tzinfo=UTC)


def action(service: str = "checkout", risk: Risk = Risk.LOW, kind: str = "rollback") -> ActionSpec:
    return ActionSpec(
        kind=kind,
        service=service,
        params={},
        runbook="rollback-bad-deploy",
        risk=risk,
        reason="test",
        rollback="undo",
        idempotency_key=f"key-{service}-{kind}-{risk}",
    )


def policy(autonomy: Autonomy, **services: Autonomy) -> PolicySettings:
    return PolicySettings(autonomy=autonomy, service_autonomy=services)


@pytest.mark.parametrize(
    ("autonomy", "verdict", "words"),
    [
        (Autonomy.OBSERVE, Verdict.DENY, "diagnoses but does not act"),
        (Autonomy.SUGGEST, Verdict.REQUIRE_APPROVAL, "proposed to a human"),
        (Autonomy.ACT, Verdict.ALLOW, "low risk"),
    ],
)
def test_autonomy_decides_a_low_risk_action(
    autonomy: Autonomy, verdict: Verdict, words: str
) -> None:
    [decision] = decide([action()], policy(autonomy), AT)

    assert decision.verdict is verdict
    assert decision.autonomy is autonomy
    assert words in decision.reasons[0]
    assert "globally" in decision.reasons[0]
    assert decision.idempotency_key == action().idempotency_key
    assert decision.action_kind == "rollback"
    assert decision.decided_at == AT


def test_the_default_policy_only_suggests() -> None:
    [decision] = decide([action()], PolicySettings(), AT)

    assert decision.verdict is Verdict.REQUIRE_APPROVAL


def test_a_high_risk_action_under_act_needs_approval() -> None:
    [decision] = decide([action(risk=Risk.HIGH)], policy(Autonomy.ACT), AT)

    assert decision.verdict is Verdict.REQUIRE_APPROVAL
    assert "high-risk" in decision.reasons[0]


def test_a_runbook_that_requires_approval_is_held_under_act() -> None:
    [decision] = decide([action()], policy(Autonomy.ACT), AT, approval_required=True)

    assert decision.verdict is Verdict.REQUIRE_APPROVAL
    assert "requires approval" in decision.reasons[0]


@pytest.mark.parametrize(
    ("globally", "for_checkout", "verdict"),
    [
        (Autonomy.ACT, Autonomy.OBSERVE, Verdict.DENY),
        (Autonomy.OBSERVE, Autonomy.ACT, Verdict.ALLOW),
        (Autonomy.SUGGEST, Autonomy.ACT, Verdict.ALLOW),
        (Autonomy.ACT, Autonomy.SUGGEST, Verdict.REQUIRE_APPROVAL),
    ],
)
def test_a_per_service_override_wins(
    globally: Autonomy, for_checkout: Autonomy, verdict: Verdict
) -> None:
    rules = policy(globally, checkout=for_checkout)

    checkout, payments = decide([action("checkout"), action("payments")], rules, AT)

    assert checkout.verdict is verdict
    assert checkout.autonomy is for_checkout
    assert "for checkout" in checkout.reasons[0]
    assert payments.autonomy is globally
    assert "globally" in payments.reasons[0]


def test_observe_denies_even_what_would_need_approval() -> None:
    [decision] = decide(
        [action(risk=Risk.HIGH)], policy(Autonomy.OBSERVE), AT, approval_required=True
    )

    assert decision.verdict is Verdict.DENY


def test_one_decision_per_action_in_order() -> None:
    actions = [action(kind="rollback"), action(kind="scale_out", risk=Risk.HIGH)]

    decisions = decide(actions, policy(Autonomy.ACT), AT)

    assert [(d.action_kind, d.verdict) for d in decisions] == [
        ("rollback", Verdict.ALLOW),
        ("scale_out", Verdict.REQUIRE_APPROVAL),
    ]
    assert decide([], policy(Autonomy.ACT), AT) == []
