"""Label matchers and silences, with Alertmanager's semantics."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model
from nightowl.domain.patterns import full_match
from nightowl.errors import InputError


class MatchOp(StrEnum):
    """Alertmanager's four matcher operators: equal, not equal, regex match, regex non-match."""

    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


class Matcher(Model):
    """``name op value``; regular expressions are anchored at both ends, as in Alertmanager,
    and run by RE2 (``domain/patterns.py``): linear in the label's length, whatever the pattern.

    A label that is absent matches as the empty string (so ``team=""`` matches alerts without team).
    """

    name: str
    op: MatchOp
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        """True when ``labels`` satisfy this matcher; a missing label reads as the empty string.

        Regexes are anchored (fully matched), as in Alertmanager, and compiled once per value.
        """
        got = labels.get(self.name, "")
        if self.op is MatchOp.EQ:
            return got == self.value
        if self.op is MatchOp.NE:
            return got != self.value
        hit = full_match(self.value, got)
        return hit if self.op is MatchOp.RE else not hit

    def __str__(self) -> str:
        return f'{self.name}{self.op.value}"{self.value}"'


def matches_all(matchers: tuple[Matcher, ...] | list[Matcher], labels: dict[str, str]) -> bool:
    """True when every matcher matches ``labels``; an empty list matches everything."""
    return all(m.matches(labels) for m in matchers)


class SilenceState(StrEnum):
    """A silence's state at a given time: not started, in force, or over."""

    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"


class Silence(Model):
    """Alerts matching every matcher are kept but open nothing between ``starts_at`` and
    ``ends_at``; who made it and why are required."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    created_at: datetime

    @classmethod
    def new(
        cls,
        matchers: tuple[Matcher, ...],
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        comment: str,
        at: datetime,
    ) -> Silence:
        """A new silence; InputError says what is missing or wrong."""
        if not matchers:
            raise InputError("a silence needs at least one matcher")
        if ends_at <= starts_at:
            raise InputError(
                f"the silence ends ({ends_at:%Y-%m-%d %H:%M}) before it starts "
                f"({starts_at:%Y-%m-%d %H:%M})"
            )
        if not comment.strip() or not created_by.strip():
            raise InputError("a silence needs a creator and a comment (say who and why)")
        return cls(
            id=uuid.uuid4().hex[:16],
            matchers=matchers,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=created_by,
            comment=comment,
            created_at=at,
        )

    def state(self, at: datetime) -> SilenceState:
        """The state at ``at``: pending before ``starts_at``, active until ``ends_at``
        (exclusive), then expired.
        """
        if at < self.starts_at:
            return SilenceState.PENDING
        return SilenceState.ACTIVE if at < self.ends_at else SilenceState.EXPIRED

    def silences(self, labels: dict[str, str], at: datetime) -> bool:
        """True when the silence is active at ``at`` and all its matchers match ``labels``."""
        return self.state(at) is SilenceState.ACTIVE and matches_all(self.matchers, labels)
