"""User rules in Cedar, on top of the built-in guardrails. A forbid always wins.

nightowl asks Cedar two questions about every write, as principal ``Agent::"nightowl"`` on resource
``Service::"<name>"``:

- ``Action::"act"`` — may nightowl do this at all? A matching ``forbid`` denies the action;
- ``Action::"act_unattended"`` — may it do it without a human? A matching ``forbid`` turns the
  verdict into require-approval.

A built-in ``permit`` for both means users only write ``forbid`` rules (Cedar's default-deny would
otherwise refuse everything). The policies are validated against SCHEMA when loaded, so a typo in
an attribute name is a configuration error, not a silently dead rule. Policy ids come from
``@id("...")`` annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cedarpy

from nightowl.domain import Verdict
from nightowl.errors import ConfigError
from nightowl.policy.facts import Facts, Finding, effective_tier
from nightowl.settings import PolicySettings

SCHEMA = """
entity Agent;
entity Service = { "name": String, "criticality": String, "autonomy": String };
action "act", "act_unattended" appliesTo {
  principal: Agent,
  resource: Service,
  context: {
    "kind": String, "risk": String, "runbook": String, "incident": String,
    "replicas_before": Long, "replicas_after": Long, "pods_at_once": Long,
    "capacity_percent": Long, "hour": Long, "weekday": Long
  }
};
"""
BUILTIN = '@id("nightowl.default-permit")\npermit(principal, action, resource);\n'


class CedarRules:
    """The user's Cedar policies, parsed and validated once. Thread-safe (immutable)."""

    def __init__(self, text: str, where: str = "policy.cedar") -> None:
        self.user_text = text
        self.text = text + "\n" + BUILTIN
        result = cedarpy.validate_policies(self.text, SCHEMA)
        if not result.validation_passed:
            first = result.errors[0]
            raise ConfigError(f"Cedar policy is not valid: {first}", where=where)

    @classmethod
    def load(cls, paths: Sequence[Path]) -> CedarRules | None:
        """The rules of ``paths`` as one policy set; None when no file is configured. ConfigError
        names a file that cannot be read or a policy that does not validate.
        """
        if not paths:
            return None
        parts = []
        for path in paths:
            try:
                parts.append(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(f"cannot read: {exc.strerror}", where=str(path)) from None
        return cls("\n".join(parts), where=", ".join(str(p) for p in paths))

    def evaluate(self, facts: Facts, policy: PolicySettings) -> list[Finding]:
        """The findings of the user's rules for ``facts``: a deny when ``act`` is not permitted,
        a require-approval when ``act_unattended`` is not; nothing when both are permitted.
        """
        entities, context = _entities(facts, policy), _context(facts, policy)
        found = []
        for action, verdict in (
            ("act", Verdict.DENY),
            ("act_unattended", Verdict.REQUIRE_APPROVAL),
        ):
            request = {
                "principal": 'Agent::"nightowl"',
                "action": f'Action::"{action}"',
                "resource": {"type": "Service", "id": facts.action.service},
                "context": context,
            }
            result = cedarpy.is_authorized(request, self.text, entities, schema=SCHEMA)
            if result.allowed:
                continue
            names = result.diagnostics.id_annotations_by_reason
            rules = [f"cedar:{names.get(r) or r}" for r in result.diagnostics.reasons]
            errors = "; ".join(result.diagnostics.errors)
            reason = (
                f"Cedar {'forbids' if verdict is Verdict.DENY else 'requires a human for'} it "
                f"({', '.join(rules) or errors or 'no permit'})"
            )
            found.append(Finding(verdict=verdict, rule=",".join(rules) or "cedar", reason=reason))
        return found


def _entities(facts: Facts, policy: PolicySettings) -> list[dict[str, Any]]:
    service = facts.action.service
    autonomy = policy.service_autonomy.get(service, policy.autonomy)
    return [
        {"uid": {"type": "Agent", "id": "nightowl"}, "attrs": {}, "parents": []},
        {
            "uid": {"type": "Service", "id": service},
            "attrs": {
                "name": service,
                "criticality": policy.criticality.get(service, "medium"),
                "autonomy": autonomy.value,
            },
            "parents": [],
        },
    ]


def _context(facts: Facts, policy: PolicySettings) -> dict[str, Any]:
    radius = facts.blast_radius
    return {
        "kind": facts.action.kind,
        "risk": effective_tier(facts.action, policy.tiers).value,
        "runbook": facts.action.runbook,
        "incident": facts.incident_id,
        "replicas_before": (radius.replicas_before or 0) if radius else 0,
        "replicas_after": (radius.replicas_after or 0) if radius else 0,
        "pods_at_once": radius.pods_at_once if radius else 0,
        "capacity_percent": round(radius.capacity_fraction * 100) if radius else 0,
        "hour": facts.at.hour,
        "weekday": (facts.at.weekday() + 1) % 7,
    }
