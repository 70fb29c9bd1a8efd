"""Runbooks that write themselves: a draft runbook from what fixed a past incident.

When an incident recovered after actions no runbook held (applied by nightowl outside a runbook,
or done by hand and rated "helped" by a human), ``draft`` turns its memory into a runbook in the
ordinary YAML format: the trigger is the cause that was found (a human's correction wins) and the
triage category, the steps are the actions that worked in the order they were taken, then a
``verify`` step, and the description cites the incidents the draft came from. The draft is linted
like any runbook; proposing it as a pull request is the application's business
(``nightowl.app.drafts``). No LLM is involved here: when one is configured, the application asks it
for prose, which ``with_prose`` adds to the description (never to the steps or the trigger).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

import yaml

from nightowl.domain import Category
from nightowl.domain.base import Model
from nightowl.domain.memory import Memory, Verdict
from nightowl.errors import InputError
from nightowl.runbooks.lint import lint
from nightowl.runbooks.model import Runbook, Step

_UNSAFE = re.compile(r"[^a-z0-9]+")


class Draft(Model):
    """A drafted runbook: its file name, the service it is for, YAML text, the linter's problems
    (empty when fine), and the incidents it came from."""

    name: str
    service: str
    filename: str
    text: str
    problems: tuple[str, ...]
    sources: tuple[str, ...]
    held_by: tuple[str, ...] = ()
    """Existing runbooks for the same fault kind whose actions are the draft's, in order: the
    fix was already written down, and the draft would duplicate it."""
    prose: str = ""
    """The LLM agent's description of the draft, when one is configured (in ``text`` too)."""


def with_prose(drafted: Draft, prose: str) -> Draft:
    """``drafted`` with ``prose`` after its own description (which keeps citing the incidents);
    the steps, trigger and rollback are unchanged. Unchanged when ``prose`` is empty."""
    if not prose.strip():
        return drafted
    book = yaml.safe_load(drafted.text)
    book["description"] = f"{book['description']}\n\n{prose.strip()}"
    text = yaml.safe_dump(book, sort_keys=False, width=100)
    return drafted.model_copy(update={"text": text, "prose": prose.strip()})


def worked(memory: Memory) -> list[str]:
    """The action kinds that worked, in the order taken: applied (not dry-run) and succeeded,
    or rated "helped" by a human (a fix done by hand); kinds a human said did not help are
    dropped."""
    rated = {f.action: f.helped for f in memory.feedback if f.verdict is Verdict.RATE}
    done = [a.kind for a in memory.actions if not a.dry_run and a.status == "succeeded"]
    helped = [k for k, ok in rated.items() if ok and k]
    return [k for k in dict.fromkeys([*done, *helped]) if rated.get(k) is not False]


def held_by(drafted: Draft, kind: str, books: Iterable[Runbook]) -> tuple[str, ...]:
    """The names of ``books`` that already hold the draft's fix for fault kind ``kind``."""
    steps = [s.action for s in Runbook.model_validate(yaml.safe_load(drafted.text)).steps
             if isinstance(s, Step)]  # fmt: skip
    return tuple(
        b.name
        for b in books
        if (not b.trigger.fault_kinds or kind in b.trigger.fault_kinds)
        and [s.action for s in b.steps if isinstance(s, Step)] == steps
    )


def draft(
    memories: Sequence[Memory],
    known_kinds: Collection[str] | None = None,
    *,
    window_seconds: int = 300,
) -> Draft:
    """A runbook from ``memories`` (the first is the incident drafted for; those of the rest with
    the same cause fixed the same way are cited too). InputError when the first neither verified
    recovered nor had an action rated "helped" by a human, has no known cause, or nothing is
    known to have worked."""
    first = memories[0]
    by_hand = any(f.verdict is Verdict.RATE and f.helped for f in first.feedback)
    if first.recovered is not True and not by_hand:
        raise InputError(
            f"incident {first.incident_id} is not verified recovered and nobody rated an action "
            "that helped: only a fix that worked is drafted into a runbook"
        )
    if first.cause is None:
        raise InputError(
            f"incident {first.incident_id} has no known cause: confirm or correct its diagnosis "
            "first (nightowl memory feedback)"
        )
    steps = worked(first)
    if not steps:
        raise InputError(
            f"nothing is known to have fixed {first.incident_id}: rate the action that helped "
            "(nightowl memory feedback ID rate --action KIND --helped)"
        )
    kind, service = first.cause
    same = [m for m in memories if m.cause == first.cause and worked(m) == steps]
    sources = tuple(dict.fromkeys(m.incident_id for m in same))
    name = _UNSAFE.sub("-", f"{'-then-'.join(steps)}-{kind}-{service}".lower()).strip("-")
    book = _book(name, first, steps, sources, window_seconds)
    text = yaml.safe_dump(book, sort_keys=False, width=100)
    problems = tuple(lint(Runbook.model_validate(book), known_kinds))
    return Draft(
        name=name,
        service=service,
        filename=f"{name}.yaml",
        text=text,
        problems=problems,
        sources=sources,
    )


def _book(
    name: str, memory: Memory, steps: list[str], sources: Sequence[str], window: int
) -> dict[str, object]:
    kind, service = memory.cause or ("", "")
    trigger: dict[str, object] = {"fault_kinds": [kind], "services": [service]}
    if memory.signature.category in {c.value for c in Category}:
        trigger["categories"] = [memory.signature.category]
    cited = ", ".join(sources)
    return {
        "name": name,
        "description": (
            f"Drafted by nightowl from what fixed {kind} on {service}: "
            f"{' then '.join(steps)}, verified recovered. Incidents: {cited}."
        ),
        "trigger": trigger,
        "steps": [
            *({"action": k, "risk": "low"} for k in steps),
            {"verify": {"window_seconds": window, "settle_seconds": 60}},
        ],
        "rollback": (
            f"Undo {' then '.join(reversed(steps))} as done by hand in {cited}; the drivers "
            "restore each action's pre-state."
        ),
        "requires_approval": True,
    }
