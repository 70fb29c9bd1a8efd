"""The built-in guardrails and Cedar rules: every write gets allow, require-approval or deny, with
the rules that decided it; the strictest finding wins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from nightowl.domain import ActionSpec, Autonomy, BlastRadius, Risk, Verdict
from nightowl.domain.control import OtherWrite
from nightowl.errors import ConfigError
from nightowl.policy.cedar import CedarRules
from nightowl.policy.facts import Facts
from nightowl.policy.gate import evaluate
from nightowl.settings import FreezeWindow, PolicySettings

AT = datetime(2030, 1, 4, 3, 0, tzinfo=UTC)  # a Friday, 03:00 UTC


def facts(kind: str = "restart", risk: Risk = Risk.LOW, **extra: Any) -> Facts:
    action = ActionSpec(
        kind=kind,
        service="checkout",
        params={},
        runbook="rb",
        risk=risk,
        reason="r",
        rollback="r",
        idempotency_key="k",
    )
    return Facts(action=action, at=AT, incident_id="inc-1", **extra)


def policy(**kw: Any) -> PolicySettings:
    return PolicySettings.model_validate({"autonomy": "act", **kw})


CASES: list[tuple[str, Facts, PolicySettings, Verdict, str]] = [
    ("observe never acts", facts(), policy(autonomy="observe"), Verdict.DENY, "autonomy.observe"),
    (
        "suggest asks a human",
        facts(),
        policy(autonomy="suggest"),
        Verdict.REQUIRE_APPROVAL,
        "autonomy.suggest",
    ),
    ("act runs low risk", facts(), policy(), Verdict.ALLOW, "autonomy.act"),
    (
        "act asks for high risk",
        facts(risk=Risk.HIGH),
        policy(),
        Verdict.REQUIRE_APPROVAL,
        "autonomy.act",
    ),
    (
        "act_high runs high risk",
        facts(risk=Risk.HIGH),
        policy(autonomy="act_high"),
        Verdict.ALLOW,
        "autonomy.act_high",
    ),
    (
        "per-service autonomy wins",
        facts(),
        policy(service_autonomy={"checkout": "observe"}),
        Verdict.DENY,
        "autonomy.observe",
    ),
    (
        "a runbook cannot lower a kind's tier",
        facts("drain_node"),
        policy(),
        Verdict.REQUIRE_APPROVAL,
        "autonomy.act",
    ),
    (
        "a runbook cannot make a write read-only",
        facts(risk=Risk.READ_ONLY),
        policy(autonomy="observe"),
        Verdict.DENY,
        "autonomy.observe",
    ),
    (
        "waits are read-only",
        facts("wait"),
        policy(autonomy="observe"),
        Verdict.ALLOW,
        "tier.read_only",
    ),
    (
        "operator tiers override",
        facts(),
        policy(tiers={"restart": "high"}),
        Verdict.REQUIRE_APPROVAL,
        "autonomy.act",
    ),
    (
        "kill switch",
        facts(killswitch=True, killswitch_reason="drill"),
        policy(autonomy="act_high"),
        Verdict.DENY,
        "killswitch",
    ),
    (
        "no driver: not in the allowlist",
        facts("delete_namespace", driver_available=False),
        policy(autonomy="act_high"),
        Verdict.DENY,
        "allowlist",
    ),
    (
        "a refusing driver",
        facts(preview_error="template not allowed"),
        policy(),
        Verdict.DENY,
        "allowlist",
    ),
    (
        "a failing preview asks a human",
        facts(preview_error="timeout", preview_retryable=True),
        policy(),
        Verdict.REQUIRE_APPROVAL,
        "preview",
    ),
    (
        "breaker per service",
        facts(writes_service_last_hour=3),
        policy(),
        Verdict.DENY,
        "breaker.service",
    ),
    ("breaker per incident", facts(writes_incident=5), policy(), Verdict.DENY, "breaker.incident"),
    (
        "another incident acted on the same services",
        facts(others=(OtherWrite(incident_id="inc-0", kind="rollback", service="web", at=AT),)),
        policy(),
        Verdict.REQUIRE_APPROVAL,
        "breaker.other_incident",
    ),
    (
        "critical service",
        facts(),
        policy(criticality={"checkout": "critical"}),
        Verdict.REQUIRE_APPROVAL,
        "criticality",
    ),
    (
        "runbook requires approval",
        facts(runbook_requires_approval=True),
        policy(autonomy="act_high"),
        Verdict.REQUIRE_APPROVAL,
        "runbook",
    ),
    (
        "two pods at once",
        facts(blast_radius=BlastRadius(pods_at_once=2)),
        policy(),
        Verdict.DENY,
        "blast_radius.pods",
    ),
    (
        "beyond max replicas",
        facts(blast_radius=BlastRadius(replicas_before=4, replicas_after=50)),
        policy(),
        Verdict.DENY,
        "blast_radius.replicas",
    ),
    (
        "more than double",
        facts(blast_radius=BlastRadius(replicas_before=4, replicas_after=9)),
        policy(),
        Verdict.DENY,
        "blast_radius.scale_factor",
    ),
    (
        "too much capacity",
        facts(blast_radius=BlastRadius(pods_at_once=1, capacity_fraction=0.25)),
        policy(),
        Verdict.REQUIRE_APPROVAL,
        "blast_radius.capacity",
    ),
    (
        "absolute freeze",
        facts(),
        policy(
            freeze=[
                {"name": "holidays", "start": "2030-01-01T00:00:00Z", "end": "2030-01-05T00:00:00Z"}
            ]
        ),
        Verdict.DENY,
        "freeze",
    ),
    (
        "cron freeze: Fridays",
        facts(),
        policy(freeze=[{"name": "friday", "cron": "* * * * 5"}]),
        Verdict.DENY,
        "freeze",
    ),
    (
        "freeze of another service",
        facts(),
        policy(freeze=[{"name": "f", "cron": "* * * * *", "services": ["payments"]}]),
        Verdict.ALLOW,
        "autonomy.act",
    ),
    (
        "a service many others depend on asks a human",
        facts(dependents=11),
        policy(),
        Verdict.REQUIRE_APPROVAL,
        "blast_radius.dependents",
    ),
    (
        "a fan-in within the limit changes nothing",
        facts(dependents=10),
        policy(),
        Verdict.ALLOW,
        "autonomy.act",
    ),
    (
        "an unknown fan-in changes nothing",
        facts(dependents=None),
        policy(),
        Verdict.ALLOW,
        "autonomy.act",
    ),
]


@pytest.mark.parametrize(
    ("name", "given", "settings", "verdict", "rule"), CASES, ids=[c[0] for c in CASES]
)
def test_guardrail(
    name: str, given: Facts, settings: PolicySettings, verdict: Verdict, rule: str
) -> None:
    decision = evaluate(given, settings)
    assert decision.verdict is verdict, decision.reasons
    assert rule in decision.rules
    assert decision.reasons
    assert all(decision.reasons)


def test_deny_beats_approval_and_every_deciding_reason_is_kept() -> None:
    decision = evaluate(facts(killswitch=True, writes_incident=9, risk=Risk.HIGH), policy())
    assert decision.verdict is Verdict.DENY
    assert set(decision.rules) == {"killswitch", "breaker.incident"}


def test_cedar_forbid_always_wins_and_act_unattended_asks_a_human() -> None:
    rules = CedarRules(
        '@id("no-big-scale") forbid(principal, action == Action::"act", resource)'
        " when { context.replicas_after > 10 };\n"
        '@id("human-for-payments") forbid(principal, action == Action::"act_unattended", resource)'
        ' when { resource.name == "payments" };'
    )
    big = facts(blast_radius=BlastRadius(replicas_before=8, replicas_after=12))
    decision = evaluate(big, policy(autonomy="act_high"), rules)
    assert decision.verdict is Verdict.DENY
    assert "cedar:no-big-scale" in decision.rules
    payments = facts().model_copy(
        update={"action": facts().action.model_copy(update={"service": "payments"})}
    )
    assert (
        evaluate(payments, policy(autonomy="act_high"), rules).verdict is Verdict.REQUIRE_APPROVAL
    )
    assert evaluate(facts(), policy(autonomy="act_high"), rules).verdict is Verdict.ALLOW


def test_cedar_typos_are_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="replica"):
        CedarRules("forbid(principal, action, resource) when { context.replica > 1 };")


def test_the_default_autonomy_is_suggest() -> None:
    assert PolicySettings().autonomy is Autonomy.SUGGEST


def test_a_freeze_that_cannot_be_evaluated_denies_instead_of_raising() -> None:
    # A window that bypassed the settings' check (built without validation, as a plugin could).
    broken = FreezeWindow.model_construct(name="nights", cron="61 * * * *", services=[])
    decision = evaluate(facts(), policy().model_copy(update={"freeze": [broken]}))
    assert decision.verdict is Verdict.DENY
    assert decision.rules == ("freeze",)
    (reason,) = decision.reasons
    assert reason.startswith("freeze could not be evaluated: ")
    assert reason.endswith(" — treated as frozen")
    assert "61 * * * *" in reason


def test_the_fan_in_never_lowers_the_bar() -> None:
    denied = evaluate(facts(dependents=0, killswitch=True), policy())
    assert denied.verdict is Verdict.DENY  # a leaf service is no excuse
    asked = evaluate(facts(dependents=0), policy(autonomy="suggest"))
    assert asked.verdict is Verdict.REQUIRE_APPROVAL
    tighter = evaluate(facts(dependents=3), policy(blast_radius={"max_dependents": 2}))
    assert tighter.verdict is Verdict.REQUIRE_APPROVAL
    assert "3 services depend on checkout (more than 2 needs a human)" in tighter.reasons
