"""Matchers and silences with Alertmanager's semantics: the four operators, anchored regexes, a
missing label read as empty, and a silence's window (start included, end excluded)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nightowl.domain.silences import Matcher, MatchOp, Silence, SilenceState, matches_all
from nightowl.errors import InputError

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LABELS = {"service": "checkout", "severity": "critical", "team": "payments"}


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (MatchOp.EQ, "checkout", True),
        (MatchOp.EQ, "check", False),
        (MatchOp.NE, "checkout", False),
        (MatchOp.NE, "cart", True),
        (MatchOp.RE, "check.*", True),
        (MatchOp.RE, "heck", False),  # anchored: a substring is not a match
        (MatchOp.RE, "cart|checkout", True),  # the alternation is anchored as a whole
        (MatchOp.NRE, "check.*", False),
        (MatchOp.NRE, "cart", True),
    ],
)
def test_the_four_operators(op: MatchOp, value: str, expected: bool) -> None:
    assert Matcher(name="service", op=op, value=value).matches(LABELS) is expected


def test_a_missing_label_matches_as_the_empty_string() -> None:
    assert Matcher(name="region", op=MatchOp.EQ, value="").matches(LABELS)
    assert not Matcher(name="region", op=MatchOp.NE, value="").matches(LABELS)
    assert Matcher(name="region", op=MatchOp.RE, value=".*").matches(LABELS)


def test_matches_all_needs_every_matcher_and_an_empty_list_matches() -> None:
    team = Matcher(name="team", op=MatchOp.EQ, value="payments")
    sev = Matcher(name="severity", op=MatchOp.RE, value="warning|info")
    assert matches_all([team], LABELS)
    assert not matches_all([team, sev], LABELS)
    assert matches_all([], LABELS)
    assert str(sev) == 'severity=~"warning|info"'


def silence(**overrides: object) -> Silence:
    fields: dict[str, object] = {
        "matchers": (Matcher(name="service", op=MatchOp.EQ, value="checkout"),),
        "starts_at": AT,
        "ends_at": AT + timedelta(hours=1),
        "created_by": "oncall",
        "comment": "planned migration",
        "at": AT - timedelta(minutes=5),
    }
    return Silence.new(**{**fields, **overrides})  # type: ignore[arg-type]


def test_a_silence_is_pending_then_active_then_expired() -> None:
    s = silence()
    assert s.state(AT - timedelta(seconds=1)) is SilenceState.PENDING
    assert s.state(AT) is SilenceState.ACTIVE
    assert s.state(AT + timedelta(hours=1)) is SilenceState.EXPIRED
    assert s.silences(LABELS, AT + timedelta(minutes=30))
    assert not s.silences(LABELS, AT + timedelta(hours=2))
    assert not s.silences({"service": "cart"}, AT + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"matchers": ()}, "at least one matcher"),
        ({"ends_at": AT}, "ends .* before it starts"),
        ({"comment": "  "}, "say who and why"),
        ({"created_by": ""}, "say who and why"),
    ],
)
def test_a_bad_silence_is_an_input_error_saying_what_to_fix(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        silence(**overrides)


def test_new_silences_get_distinct_ids() -> None:
    assert silence().id != silence().id
