"""JUnit and Cobertura reports as CI tools write them (pytest's ``--junitxml``, Maven Surefire's
per-suite files, coverage.py's ``coverage xml``), read safely."""

from __future__ import annotations

import pytest

from nightowl.deployrisk import ci
from nightowl.errors import InputError

PYTEST = """<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite
 name="pytest" errors="0" failures="2" skipped="1" tests="40" time="3.1"
 timestamp="2026-11-20T03:00:00" hostname="ci"><testcase classname="t" name="a" time="0.1"/>
</testsuite></testsuites>"""
SUREFIRE = """<testsuite name="com.shop.CartTest" tests="12" failures="0" errors="1"
 skipped="0"><testcase name="adds" classname="com.shop.CartTest" time="0.01"/></testsuite>"""
COBERTURA = """<?xml version="1.0" ?><!DOCTYPE coverage SYSTEM
 "http://cobertura.sourceforge.net/xml/coverage-04.dtd"><coverage version="7.6.1"
 timestamp="1763607600000" lines-valid="1000" lines-covered="812" line-rate="0.812"
 branches-covered="0" branches-valid="0" branch-rate="0" complexity="0"><packages/></coverage>"""
BOMB = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2
 "&lol;&lol;&lol;&lol;">]><testsuite tests="1">&lol2;</testsuite>"""


def test_pytest_and_surefire_reports_are_counted() -> None:
    run = ci.junit(PYTEST)
    assert (run.tests, run.failures, run.errors, run.skipped) == (40, 2, 0, 1)
    run = ci.junit(SUREFIRE)
    assert (run.tests, run.errors) == (12, 1)


def test_cobertura_line_rate_and_a_baseline() -> None:
    cov = ci.coverage(COBERTURA, COBERTURA.replace('line-rate="0.812"', 'line-rate="0.9"'))
    assert (cov.line_rate, cov.baseline) == (0.812, 0.9)


def test_entities_and_wrong_documents_are_refused_clearly() -> None:
    with pytest.raises(InputError, match="not well-formed, safe XML"):
        ci.junit(BOMB)
    with pytest.raises(InputError, match="root is <testsuites> or <testsuite>"):
        ci.junit(COBERTURA)
    with pytest.raises(InputError, match="line-rate"):
        ci.line_rate(SUREFIRE)
    with pytest.raises(InputError, match="not well-formed"):
        ci.line_rate("<coverage")
