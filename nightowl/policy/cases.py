"""Table-driven policy tests (``nightowl policy test CASES.yaml``).

::

    policy: {autonomy: act, criticality: {payments: critical}}   # overrides of policy settings
    cedar: |                                                    # optional user rules to test
      @id("no-friday-drains") forbid(principal, action == Action::"act", resource)
        when { context.kind == "drain_node" && context.weekday == 5 };
    cases:
      - name: a scale to 50 replicas is denied
        action: {kind: scale_out, service: checkout, params: {factor: 12.5}}
        blast_radius: {replicas_before: 4, replicas_after: 50}
        expect: deny
        rules: [blast_radius.replicas]        # optional: these rules must be among the deciders

Every field of the gate's facts can be given per case (``killswitch``, ``writes_service_last_hour``,
``at``, ``runbook_requires_approval``, ...); the action's ``runbook``, ``reason``, ``rollback`` and
``idempotency_key`` have defaults.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.domain import Model, Verdict
from nightowl.errors import ConfigError
from nightowl.policy.cedar import CedarRules
from nightowl.policy.facts import Facts
from nightowl.policy.gate import evaluate
from nightowl.settings import PolicySettings

ACTION_DEFAULTS = {"runbook": "test", "reason": "test", "rollback": "test", "risk": "low"}


class Case(BaseModel):
    """One table row: the facts of one action (any Facts field, given inline), the verdict
    expected, and optionally the rules that must be among those that decided it.
    """

    model_config = ConfigDict(extra="allow")

    name: str
    expect: Verdict
    rules: list[str] = []


class CaseFile(BaseModel):
    """A cases file: policy settings to override, optional Cedar rules, and at least one case."""

    model_config = ConfigDict(extra="forbid")

    policy: dict[str, Any] = {}
    cedar: str | None = None
    cases: list[Case] = Field(min_length=1)


class CaseResult(Model):
    """How one case came out: the verdict expected and got, and the rules and reasons that
    decided.
    """

    name: str
    ok: bool
    expected: Verdict
    got: Verdict
    rules: tuple[str, ...]
    reasons: tuple[str, ...]


def run_cases(path: Path, base: PolicySettings | None = None) -> list[CaseResult]:
    """Evaluate every case; ConfigError names the file and the first invalid entry."""
    try:
        spec = CaseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        policy = PolicySettings.model_validate(
            {**(base or PolicySettings()).model_dump(), **spec.policy}
        )
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", where=str(path)) from None
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(str(exc).splitlines()[0], where=str(path)) from None
    cedar = CedarRules(spec.cedar, where=f"{path}: cedar") if spec.cedar else None
    return [_run(case, policy, cedar, path, n) for n, case in enumerate(spec.cases)]


def _run(
    case: Case, policy: PolicySettings, cedar: CedarRules | None, path: Path, n: int
) -> CaseResult:
    extra = dict(case.model_extra or {})
    action = {**ACTION_DEFAULTS, "idempotency_key": f"case-{n}", **extra.pop("action", {})}
    try:
        facts = Facts.model_validate({"at": datetime.now(UTC), **extra, "action": action})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = f"{path}: cases[{n}].{'.'.join(map(str, err['loc']))}"
        raise ConfigError(str(err["msg"]), where=where) from None
    decision = evaluate(facts, policy, cedar)
    ok = decision.verdict is case.expect and all(r in decision.rules for r in case.rules)
    return CaseResult(
        name=case.name,
        ok=ok,
        expected=case.expect,
        got=decision.verdict,
        rules=decision.rules,
        reasons=decision.reasons,
    )
