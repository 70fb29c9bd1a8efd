"""Regular expressions run by RE2: linear in the text whatever the pattern, Alertmanager's anchored
semantics, and a clear InputError for what RE2 cannot compile."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from nightowl.domain.patterns import MAX_PATTERN_BYTES, compile_pattern, full_match, search
from nightowl.domain.silences import Matcher, MatchOp, Silence
from nightowl.errors import InputError


def test_a_catastrophic_pattern_against_a_27_character_name_returns_at_once() -> None:
    # With a backtracking engine (Python's re) this took seconds and stalled the event loop.
    matcher = Matcher(name="alertname", op=MatchOp.RE, value="(a+)+b")
    name = "a" * 27
    started = time.process_time()
    for _ in range(100):
        assert not matcher.matches({"alertname": name})
    assert time.process_time() - started < 0.5


def test_a_silence_with_a_nested_quantifier_does_not_stall_on_a_long_label() -> None:
    at = datetime(2026, 12, 2, tzinfo=UTC)
    silence = Silence.new(
        (Matcher(name="service", op=MatchOp.RE, value="(x+x+)+y"),),
        at,
        at + timedelta(hours=1),
        "dana",
        "maintenance",
        at,
    )
    started = time.process_time()
    assert not silence.silences({"service": "x" * 5000}, at + timedelta(minutes=1))
    assert time.process_time() - started < 0.5


def test_matchers_are_anchored_at_both_ends_as_in_alertmanager() -> None:
    assert full_match("check.*", "checkout")
    assert not full_match("check", "checkout")
    assert not full_match("out", "checkout")
    assert full_match("a|ab", "ab")  # the whole alternation is anchored, not its first branch
    # Python's re lets ``$`` match before a final newline; Alertmanager (and RE2) do not.
    assert not full_match("checkout", "checkout\n")


def test_search_finds_a_pattern_anywhere() -> None:
    assert search("out of memory|OOM", "container killed: OOMKilled")
    assert not search("out of memory", "all fine")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [("(a)\\1", "escape"), ("(?=a)b", "perl operator"), ("a(b", "missing )")],
)
def test_what_re2_cannot_compile_is_an_input_error_saying_why(pattern: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        compile_pattern(pattern)
    message = str(caught.value)
    assert repr(pattern) in message
    assert reason in message
    assert "RE2" in message


def test_a_pattern_over_the_size_limit_is_refused() -> None:
    with pytest.raises(InputError, match="longer than"):
        compile_pattern("a" * (MAX_PATTERN_BYTES + 1))


def test_a_program_over_re2s_memory_budget_is_refused_not_built() -> None:
    with pytest.raises(InputError, match="invalid regular expression"):
        compile_pattern("((((a{100}){100}){100}){100})")


def test_text_with_a_lone_surrogate_is_matched_instead_of_raising() -> None:
    assert full_match("check.*", "check\ud800out")
    assert not full_match("checkout", "check\ud800out")


def test_groups_are_read_by_name_and_offsets_count_characters() -> None:
    found = compile_pattern(r"(?P<word>[^=]+)=").match("été=1, x=2", 0)
    assert found is not None
    assert found.group("word") == "été"
    assert found.end() == 4


def test_sub_replaces_with_a_template_or_a_function() -> None:
    word = compile_pattern(r"(?i)(tok)en")
    assert word.sub(r"\1[X]", "a Token b token") == "a Tok[X] b tok[X]"
    assert word.sub(lambda m: (m.group(1) or "").upper(), "token\ud800") == "TOK?"
