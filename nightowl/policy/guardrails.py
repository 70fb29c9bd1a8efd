"""The built-in guardrails. Each looks at the facts and either says nothing or gives a finding.

Every write passes all of them; the gate combines the findings (deny beats require-approval beats
allow). Read-only steps skip the write guardrails, but a runbook cannot declare a write read-only
(see ``facts.effective_tier``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from nightowl.domain import Autonomy, Risk, Verdict
from nightowl.policy.facts import Criticality, Facts, Finding, autonomy_for, effective_tier
from nightowl.policy.freeze import active_freeze
from nightowl.settings import PolicySettings

Guardrail = Callable[[Facts, PolicySettings], "list[Finding]"]


def killswitch(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Deny every action while the kill switch is on."""
    if not facts.killswitch:
        return []
    why = f": {facts.killswitch_reason}" if facts.killswitch_reason else ""
    return [_deny("killswitch", f"the kill switch is on{why}; nightowl writes nothing")]


def allowlist(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Deny a kind no configured driver performs, or one whose dry run the driver refused; ask a
    human when the dry run failed in a way that may pass (the blast radius is then unknown).
    """
    kind = facts.action.kind
    if not facts.driver_available:
        return [_deny("allowlist", f"{kind!r} is not an action any configured driver performs")]
    if facts.preview_error is not None:
        if facts.preview_retryable:
            return [
                _ask("preview", f"the dry run failed ({facts.preview_error}): blast radius unknown")
            ]
        return [_deny("allowlist", f"the driver refuses it: {facts.preview_error}")]
    return []


def autonomy(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Apply the service's autonomy level: ``observe`` denies, ``suggest`` asks a human, ``act``
    asks a human for high-risk actions only, and the allow says which level and tier let it
    through.
    """
    service = facts.action.service
    level = autonomy_for(service, policy.autonomy, policy.service_autonomy)
    scope = f"for {service}" if service in policy.service_autonomy else "globally"
    tier = effective_tier(facts.action, policy.tiers)
    if level is Autonomy.OBSERVE:
        return [
            _deny(
                "autonomy.observe",
                f"autonomy is 'observe' {scope}: nightowl diagnoses but does not act",
            )
        ]
    if level is Autonomy.SUGGEST:
        return [
            _ask(
                "autonomy.suggest",
                f"autonomy is 'suggest' {scope}: the action is proposed to a human, not executed "
                "without an approver's yes",
            )
        ]
    if level is Autonomy.ACT and tier is Risk.HIGH:
        return [_ask("autonomy.act", f"autonomy is 'act' {scope}: high-risk actions need a human")]
    return [
        Finding(
            verdict=Verdict.ALLOW,
            rule=f"autonomy.{level.value}",
            reason=f"autonomy is '{level.value}' {scope} and the action is {tier.value} risk",
        )
    ]


def criticality(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Ask a human for any write on a critical service, and for a high-risk one on a
    high-criticality service.
    """
    service = facts.action.service
    level = Criticality(policy.criticality.get(service, Criticality.MEDIUM.value))
    tier = effective_tier(facts.action, policy.tiers)
    if level is Criticality.CRITICAL:
        return [_ask("criticality", f"{service} is critical: every write needs a human")]
    if level is Criticality.HIGH and tier is Risk.HIGH:
        return [_ask("criticality", f"{service} is high-criticality and the action is high risk")]
    return []


def runbook(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Ask a human when the action's runbook says it requires approval."""
    if facts.runbook_requires_approval:
        return [_ask("runbook", f"runbook {facts.action.runbook} requires approval")]
    return []


def blast_radius(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Hold the dry run's blast radius to the limits: pods taken down at once, the replica range
    and scale factor (deny), and the share of capacity removed (ask a human).
    """
    radius, limits = facts.blast_radius, policy.blast_radius
    if radius is None:
        return []
    found = []
    if radius.pods_at_once > limits.max_pods_at_once:
        found.append(
            _deny(
                "blast_radius.pods",
                f"it takes down {radius.pods_at_once} pods at once (limit {limits.max_pods_at_once})",
            )
        )
    before, after = radius.replicas_before, radius.replicas_after
    if after is not None and not (limits.min_replicas <= after <= limits.max_replicas):
        found.append(
            _deny(
                "blast_radius.replicas",
                f"{after} replicas is outside the bounds {limits.min_replicas}–{limits.max_replicas}",
            )
        )
    if before and after and max(after / before, before / after) > limits.max_scale_factor:
        found.append(
            _deny(
                "blast_radius.scale_factor",
                f"scaling {before} → {after} replicas exceeds ×{limits.max_scale_factor:g}",
            )
        )
    if radius.capacity_fraction > limits.max_capacity_fraction:
        found.append(
            _ask(
                "blast_radius.capacity",
                f"it removes {radius.capacity_fraction:.0%} of capacity "
                f"(more than {limits.max_capacity_fraction:.0%} needs a human)",
            )
        )
    return found


def breakers(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Deny once the writes on the service in the last hour, or in this incident, reach their
    limit: a remedy that keeps failing must not keep being applied.
    """
    limits, found = policy.breakers, []
    if facts.writes_service_last_hour >= limits.per_service_per_hour:
        found.append(
            _deny(
                "breaker.service",
                f"circuit breaker open: {facts.writes_service_last_hour} writes on "
                f"{facts.action.service} in the last hour (limit {limits.per_service_per_hour})",
            )
        )
    if facts.writes_incident >= limits.per_incident:
        found.append(
            _deny(
                "breaker.incident",
                f"circuit breaker open: {facts.writes_incident} writes in this incident "
                f"(limit {limits.per_incident})",
            )
        )
    return found


def one_remedy(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """One fault pages on several services and may open several incidents: when another incident
    already wrote to a service of this one, a second remediation waits for a human, who knows
    whether it is the same fault."""
    if not facts.others:
        return []
    done = ", ".join(
        f"{w.kind} on {w.service} ({w.incident_id}, {w.at:%H:%M})" for w in facts.others
    )
    return [
        _ask(
            "breaker.other_incident",
            f"another incident already acted on this incident's services: {done}; one fault, "
            "one remediation — a human decides whether this is the same fault",
        )
    ]


def freeze(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Deny while a change-freeze window covering the service is in effect; deny, too, when the
    windows cannot be evaluated (fail closed: the settings check them when they load, so this is a
    window that bypassed that check)."""
    try:
        window = active_freeze(policy.freeze, facts.action.service, facts.at)
    except ValueError as exc:
        return [_deny("freeze", f"freeze could not be evaluated: {exc} — treated as frozen")]
    if window is None:
        return []
    until = f" until {window.end:%Y-%m-%d %H:%M} UTC" if window.end else ""
    return [_deny("freeze", f"change freeze {window.name!r} is in effect{until}")]


def fan_in(facts: Facts, policy: PolicySettings) -> list[Finding]:
    """Ask a human before a write on a service that many others depend on (the knowledge
    graph's fan-in): whatever the dry run says, a fault there reaches all of them. Only adds a
    finding; an unknown fan-in changes nothing."""
    limit = policy.blast_radius.max_dependents
    if facts.dependents is None or facts.dependents <= limit:
        return []
    return [
        _ask(
            "blast_radius.dependents",
            f"{facts.dependents} services depend on {facts.action.service} "
            f"(more than {limit} needs a human)",
        )
    ]


WRITE_GUARDRAILS: tuple[Guardrail, ...] = (
    killswitch,
    allowlist,
    freeze,
    breakers,
    one_remedy,
    blast_radius,
    fan_in,
    autonomy,
    criticality,
    runbook,
)
"""Applied to every write, in this order (the order only affects how reasons are listed)."""

HOUR = timedelta(hours=1)


def _deny(rule: str, reason: str) -> Finding:
    return Finding(verdict=Verdict.DENY, rule=rule, reason=reason)


def _ask(rule: str, reason: str) -> Finding:
    return Finding(verdict=Verdict.REQUIRE_APPROVAL, rule=rule, reason=reason)
