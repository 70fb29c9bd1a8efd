"""``nightowl runbook lint``: problems a loader cannot see — unknown actions or facts, conditions
that do not parse, patterns that do not compile, writes with no way back."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from nightowl.domain.patterns import compile_pattern
from nightowl.errors import ConfigError, InputError
from nightowl.runbooks.interpreter import CONDITION, FACT
from nightowl.runbooks.model import FACTS, AnyStep, DecisionStep, Runbook, Step, WaitStep

READ_ONLY = frozenset({"wait", "verify"})


def lint(book: Runbook, known_kinds: Collection[str] | None = None) -> list[str]:
    """Every problem found in ``book``, one line each; empty when it is fine."""
    problems: list[str] = []
    if book.trigger.error_pattern:
        try:
            compile_pattern(book.trigger.error_pattern)
        except InputError as exc:
            problems.append(f"trigger.error_pattern does not compile: {exc}")
    if not (book.trigger.fault_kinds or book.trigger.categories or book.trigger.services):
        problems.append("trigger matches every incident: name fault_kinds, categories or services")
    problems += _steps(book.steps, "steps", known_kinds)
    if isinstance(book.rollback, list):
        problems += _steps(book.rollback, "rollback", known_kinds)
    elif not book.rollback.strip():
        problems.append("rollback is empty: say how to undo the runbook")
    return problems


def _steps(steps: Sequence[AnyStep], where: str, known: Collection[str] | None) -> list[str]:
    problems: list[str] = []
    for n, step in enumerate(steps):
        at = f"{where}[{n}]"
        if isinstance(step, DecisionStep):
            m = CONDITION.match(step.decide.when)
            if not m:
                problems.append(f"{at}.decide.when {step.decide.when!r} is not '$fact <op> value'")
            elif m.group("fact") not in FACTS:
                problems.append(f"{at}.decide.when names unknown fact ${m.group('fact')}")
            problems += _steps(step.decide.then, f"{at}.decide.then", known)
            problems += _steps(step.decide.otherwise, f"{at}.decide.else", known)
        elif isinstance(step, Step):
            if known is not None and step.action not in known and step.action not in READ_ONLY:
                problems.append(
                    f"{at}.action {step.action!r} is not performed by any driver "
                    f"(known: {', '.join(sorted(known))})"
                )
            for key, value in step.params.items():
                if isinstance(value, str):
                    for fact in FACT.findall(value):
                        if fact not in FACTS:
                            problems.append(f"{at}.params.{key} names unknown fact ${fact}")
        elif isinstance(step, WaitStep) and step.wait > 1800:
            problems.append(f"{at}.wait of {step.wait:g}s holds the incident for over 30 minutes")
    return problems


def lint_files(
    books: Sequence[tuple[str, Runbook | ConfigError]], known: Collection[str] | None
) -> list[str]:
    """Problems of several loaded files (or their load errors), prefixed with the file name."""
    out: list[str] = []
    names: dict[str, str] = {}
    for where, book in books:
        if isinstance(book, ConfigError):
            out.append(str(book))
            continue
        if book.name in names:
            out.append(f"{where}: runbook name {book.name!r} is also used by {names[book.name]}")
        names[book.name] = where
        out += [f"{where}: {p}" for p in lint(book, known)]
    return out
