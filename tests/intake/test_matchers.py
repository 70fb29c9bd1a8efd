"""Alertmanager's matcher syntax read into Matchers: regexes must compile under RE2, and reading a
long matcher line costs time linear in its length."""

from __future__ import annotations

import time

import pytest

from nightowl.domain.silences import MatchOp
from nightowl.errors import ConfigError, InputError
from nightowl.intake.inhibit import compile_rules
from nightowl.intake.matchers import parse_matchers
from nightowl.settings import InhibitRule


def test_a_brace_list_is_read_into_matchers() -> None:
    found = parse_matchers('{alertname="HighLatency", service=~"check.*", team!="ads"}')
    assert [(m.name, m.op, m.value) for m in found] == [
        ("alertname", MatchOp.EQ, "HighLatency"),
        ("service", MatchOp.RE, "check.*"),
        ("team", MatchOp.NE, "ads"),
    ]


@pytest.mark.parametrize("regex", ["(a)\\\\1", "(?!x)y", "[z-a]"])
def test_a_regex_re2_cannot_compile_is_an_input_error_naming_the_matcher(regex: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_matchers(f'service=~"{regex}"')
    assert str(caught.value).startswith("matcher service=~")
    assert "invalid regular expression" in str(caught.value)


def test_a_catastrophic_regex_is_accepted_and_matches_in_linear_time() -> None:
    (matcher,) = parse_matchers('alertname=~"(a+)+b"')
    started = time.process_time()
    assert not matcher.matches({"alertname": "a" * 27})
    assert time.process_time() - started < 0.5


def test_a_long_matcher_line_is_read_in_linear_time() -> None:
    # A bare value followed by a long run of spaces made the backtracking reader quadratic
    # (20,000 spaces: 11 s).
    line = "team=ads" + " " * 20_000 + "x"
    started = time.process_time()
    with pytest.raises(InputError, match="cannot read matcher"):
        parse_matchers(line + ",=")
    (matcher,) = parse_matchers(line)
    assert time.process_time() - started < 1.0
    assert matcher.value.startswith("ads")
    assert matcher.value.endswith("x")


def test_an_inhibit_rule_with_a_bad_regex_is_a_config_error_naming_the_rule() -> None:
    rules = [
        InhibitRule(source_matchers=['alertname="A"'], target_matchers=['severity="warning"']),
        InhibitRule(source_matchers=['alertname=~"(?<=x)"'], target_matchers=['team="ads"']),
    ]
    with pytest.raises(ConfigError) as caught:
        compile_rules(rules)
    assert str(caught.value).startswith("intake.inhibit_rules[1]: matcher alertname=~")


def test_quoted_values_keep_non_ascii_text_and_read_escapes() -> None:
    (matcher,) = parse_matchers('service="café 東京 \\"q\\" \\u00e9"')
    assert matcher.value == 'café 東京 "q" é'


@pytest.mark.parametrize("text", ['service="a\\x"', 'service="\\N{nope}"'])
def test_a_bad_escape_is_an_input_error_not_a_crash(text: str) -> None:
    with pytest.raises(InputError, match="bad escape"):
        parse_matchers(text)


def test_a_lone_surrogate_in_a_matcher_is_read_without_raising() -> None:
    (matcher,) = parse_matchers('service="a\ud800"')
    assert matcher.name == "service"
