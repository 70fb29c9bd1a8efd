"""What CI says of the build: a JUnit XML test report and Cobertura XML coverage reports.

Both are read with ``defusedxml`` (no entities, no external references: a report is untrusted
input) and bounded in size. JUnit's root is ``<testsuites>`` (its counts, or the sum of its
suites') or one ``<testsuite>``; Cobertura's root ``<coverage>`` carries ``line-rate``.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from nightowl.deployrisk.model import Coverage, JUnitSummary
from nightowl.errors import InputError

MAX_REPORT_BYTES = 20 * 1024 * 1024


def _root(text: str | bytes, what: str) -> Element:
    if len(text) > MAX_REPORT_BYTES:
        raise InputError(f"the {what} is over {MAX_REPORT_BYTES // 2**20} MiB: give a summary one")
    try:
        root: Element = fromstring(text)
    except (ParseError, DefusedXmlException) as exc:
        raise InputError(f"the {what} is not well-formed, safe XML: {exc}") from None
    return root


def _count(element: Element, name: str, what: str) -> int:
    raw = element.get(name, "0") or "0"
    try:
        return max(0, int(float(raw)))
    except ValueError:
        raise InputError(f"the {what}'s {name}={raw!r} is not a number") from None


def junit(text: str | bytes) -> JUnitSummary:
    """The counts of a JUnit XML report; InputError when it is not one."""
    root = _root(text, "JUnit report")
    if root.tag == "testsuite":
        suites = [root]
    elif root.tag == "testsuites":
        suites = root.findall("testsuite")
        if "tests" in root.attrib or not suites:
            suites = [root]
    else:
        raise InputError(f"a JUnit report's root is <testsuites> or <testsuite>, not <{root.tag}>")
    what = "JUnit report"
    return JUnitSummary(
        tests=sum(_count(s, "tests", what) for s in suites),
        failures=sum(_count(s, "failures", what) for s in suites),
        errors=sum(_count(s, "errors", what) for s in suites),
        skipped=sum(_count(s, "skipped", what) for s in suites),
    )


def line_rate(text: str | bytes) -> float:
    """The ``line-rate`` (0–1) of a Cobertura XML report; InputError when it is not one."""
    root = _root(text, "Cobertura report")
    if root.tag != "coverage" or "line-rate" not in root.attrib:
        raise InputError("a Cobertura report's root is <coverage line-rate=...>")
    try:
        rate = float(root.attrib["line-rate"])
    except ValueError:
        raise InputError(f"line-rate={root.attrib['line-rate']!r} is not a number") from None
    if not 0 <= rate <= 1:
        raise InputError(f"line-rate={rate} is not between 0 and 1")
    return rate


def coverage(text: str | bytes, baseline: str | bytes | None = None) -> Coverage:
    """This build's line coverage, and the base's when its report is given."""
    return Coverage(
        line_rate=line_rate(text), baseline=None if baseline is None else line_rate(baseline)
    )
