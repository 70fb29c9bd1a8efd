"""GitHub's CODEOWNERS file: rules of a gitignore-style pattern and its owners, the last match wins.

The format is GitHub's (docs.github.com, "About code owners"): one rule a line, ``#`` starts a
comment, a pattern followed by owners (``@user``, ``@org/team`` or an email address); a rule with
no owners leaves its paths unowned. Patterns are gitignore's, matched by ``pathspec``. A
directory's owners are those a new file at the directory's top level would have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pathspec import PathSpec

PROBE = ".nightowl"
"""The name of the notional file at a directory's top level whose owners are the directory's."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One CODEOWNERS line: its number, its pattern and its owners (maybe none)."""

    line: int
    pattern: str
    owners: tuple[str, ...]
    spec: PathSpec[Any]


def parse(text: str) -> list[Rule]:
    """The rules of a CODEOWNERS file, in file order; a line whose pattern pathspec cannot read
    is skipped (GitHub skips it too, reporting it under ``/codeowners/errors``)."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        try:
            spec = PathSpec.from_lines("gitignore", [pattern])
        except ValueError:
            continue
        rules.append(Rule(number, pattern, tuple(owners), spec))
    return rules


def owners_of(rules: list[Rule], directory: str) -> Rule | None:
    """The rule deciding who owns ``directory`` (``""`` for the repository's root): the last one
    matching a file at its top level; None when no rule matches."""
    top = directory.strip("/")
    probe = f"{top}/{PROBE}" if top else PROBE
    for rule in reversed(rules):
        if rule.spec.match_file(probe):
            return rule
    return None
