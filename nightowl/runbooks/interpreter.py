"""Turn a runbook and the incident's facts into the ordered actions the gate will judge.

Decisions are resolved here, from facts known when planning; waits become read-only ``wait`` plan
items so that the plan shows everything that will happen, and the verify stage reads the window
from ``verify_window``. Each action gets an idempotency key from the incident, runbook, position and kind, so
planning the same incident again yields the same keys and a retried step never acts twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from nightowl.domain import ActionSpec, Risk, Scalar
from nightowl.errors import ConfigError
from nightowl.runbooks.model import (
    AnyStep,
    DecisionStep,
    Runbook,
    Step,
    VerifyStep,
    VerifyWindow,
    WaitStep,
)

FACT = re.compile(r"\$([a-z_]+)")
CONDITION = re.compile(
    r"^\s*(?P<neg>not\s+)?\$(?P<fact>[a-z_]+)\s*(?:(?P<op>==|!=|<=|>=|<|>)\s*(?P<value>.+?))?\s*$"
)

Facts = Mapping[str, Scalar]


def substitute(value: Scalar, facts: Facts) -> Scalar:
    """``$fact`` alone becomes the fact's value; inside a longer string, its text."""
    if not isinstance(value, str):
        return value
    whole = FACT.fullmatch(value)
    if whole:
        return facts.get(whole.group(1))
    return FACT.sub(
        lambda m: "" if facts.get(m.group(1)) is None else str(facts[m.group(1)]), value
    )


def evaluate(condition: str, facts: Facts) -> bool:
    """A condition: ``$fact``, ``not $fact`` or ``$fact <op> literal`` (null, true, numbers, text)."""
    m = CONDITION.match(condition)
    if not m:
        raise ConfigError(f"condition {condition!r} is not '$fact <op> value'", where="runbook")
    actual = facts.get(m.group("fact"))
    if m.group("op") is None:
        return bool(actual) != bool(m.group("neg"))
    expected = _literal(m.group("value"))
    op = m.group("op")
    if op in ("==", "!="):
        equal = actual == expected or (
            actual is not None and expected is not None and str(actual) == str(expected)
        )
        result = equal if op == "==" else not equal
    else:
        try:
            a, b = float(actual), float(expected)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        result = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    return result != bool(m.group("neg"))


def _literal(text: str) -> Scalar:
    text = text.strip()
    if text in ("null", "none"):
        return None
    if text in ("true", "false"):
        return text == "true"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def flatten(steps: Sequence[AnyStep], facts: Facts) -> list[Step | WaitStep | VerifyStep]:
    """The steps that will run, with every decision resolved."""
    out: list[Step | WaitStep | VerifyStep] = []
    for step in steps:
        if isinstance(step, DecisionStep):
            branch = step.decide
            chosen = branch.then if evaluate(branch.when, facts) else branch.otherwise
            out.extend(flatten(chosen, facts))
        else:
            out.append(step)
    return out


def interpret(book: Runbook, facts: Facts, incident_id: str, reason: str) -> list[ActionSpec]:
    """The runbook's plan for this incident: actions, waits and the verification window."""
    service = str(facts.get("service") or "")
    rollback = rollback_text(book, facts)
    actions = []
    steps = [s for s in flatten(book.steps, facts) if not isinstance(s, VerifyStep)]
    for n, step in enumerate(steps):
        kind, params, risk = _spec_of(step, facts)
        key = hashlib.sha256(
            f"{incident_id}|{book.name}|{n}|{kind}|{service}".encode()
        ).hexdigest()[:20]
        actions.append(
            ActionSpec(
                kind=kind,
                service=service,
                params=params,
                runbook=book.name,
                risk=risk,
                reason=reason,
                rollback=rollback,
                idempotency_key=key,
            )
        )
    return actions


def _spec_of(step: Step | WaitStep, facts: Facts) -> tuple[str, dict[str, Scalar], Risk]:
    if isinstance(step, WaitStep):
        return "wait", {"seconds": step.wait}, Risk.READ_ONLY
    return step.action, {k: substitute(v, facts) for k, v in step.params.items()}, step.risk


def verify_window(book: Runbook, facts: Facts) -> VerifyWindow | None:
    """The runbook's verification window (its last ``verify`` step on the chosen path), if any."""
    windows = [s.verify for s in flatten(book.steps, facts) if isinstance(s, VerifyStep)]
    return windows[-1] if windows else None


def rollback_text(book: Runbook, facts: Facts) -> str:
    """How the runbook is undone, in words: its note, or the undo steps after restoring
    pre-state.
    """
    if isinstance(book.rollback, str):
        return str(substitute(book.rollback, facts))
    undo = "; ".join(
        f"{s.action} {', '.join(f'{k}={substitute(v, facts)}' for k, v in s.params.items())}".strip()
        for s in book.rollback
    )
    return f"restore the captured pre-state, then: {undo}"


def rollback_steps(book: Runbook, facts: Facts, incident_id: str) -> list[ActionSpec]:
    """The runbook's own undo steps (after the drivers restore pre-state), as actions."""
    if isinstance(book.rollback, str):
        return []
    undo = Runbook(
        name=f"{book.name}.rollback",
        description=f"undo {book.name}",
        trigger=book.trigger,
        steps=list(book.rollback),
        rollback="nothing further",
    )
    return interpret(undo, facts, incident_id, f"rolling back {book.name}")
