"""Inhibition with Alertmanager's semantics: while a *source* alert fires, *target* alerts that
have equal values for the ``equal`` labels are muted. An alert never inhibits itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nightowl.domain import AlertState
from nightowl.domain.silences import Matcher, matches_all
from nightowl.errors import ConfigError, InputError
from nightowl.intake.matchers import parse_matchers
from nightowl.settings import InhibitRule


@dataclass(frozen=True)
class CompiledRule:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


def compile_rules(rules: Sequence[InhibitRule]) -> list[CompiledRule]:
    """The rules' matchers parsed (regexes by RE2); ConfigError names the rule that is wrong."""
    compiled = []
    for i, r in enumerate(rules):
        try:
            source = tuple(m for text in r.source_matchers for m in parse_matchers(text))
            target = tuple(m for text in r.target_matchers for m in parse_matchers(text))
        except InputError as exc:
            raise ConfigError(str(exc), where=f"intake.inhibit_rules[{i}]") from None
        compiled.append(CompiledRule(source=source, target=target, equal=tuple(r.equal)))
    return compiled


def inhibitor(
    alert: AlertState, firing: Sequence[AlertState], rules: Sequence[CompiledRule]
) -> str | None:
    """The fingerprint and name of a firing alert that inhibits ``alert``, or None."""
    for rule in rules:
        if not matches_all(rule.target, alert.labels):
            continue
        for source in firing:
            if source.fingerprint == alert.fingerprint or not matches_all(
                rule.source, source.labels
            ):
                continue
            if all(source.labels.get(k, "") == alert.labels.get(k, "") for k in rule.equal):
                return f"{source.name} ({source.fingerprint})"
    return None
