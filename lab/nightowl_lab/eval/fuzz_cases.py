"""The hand-found hostile requests of issue 18, sent by every ``nightowl bench fuzz`` run."""

from __future__ import annotations

import json
from typing import Any

from nightowl_lab.eval.fuzz_payloads import SOURCES, TOKEN, WEBHOOK, Case, authed, encode

DEEP = 1_000
HUGE = 4 * 1024 * 1024
OVER_CAP = 6 * 1024 * 1024


def _am(alert: dict[str, Any], **top: Any) -> dict[str, Any]:
    base = {"status": "firing", "labels": {"alertname": "Fuzz"}, "startsAt": "2030-01-01T00:00:00Z"}
    return {
        "version": "4",
        "status": "firing",
        "groupKey": "{}:{}",
        "alerts": [base | alert],
        **top,
    }


def _raw(name: str, body: bytes, label: str, **headers: str) -> Case:
    return Case(WEBHOOK + name, body, authed(headers), label)


def _deep(source: str) -> list[Case]:
    arrays = b"[" * DEEP + b"]" * DEEP
    objects = ('{"a":' * DEEP + "1" + "}" * DEEP).encode()
    return [
        _raw(source, arrays, f"{source}: {DEEP}-deep JSON arrays"),
        _raw(source, objects, f"{source}: {DEEP}-deep JSON objects"),
    ]


def _malformed(source: str) -> list[Case]:
    return [
        _raw(source, b"", f"{source}: empty body"),
        _raw(source, b"null", f"{source}: null"),
        _raw(source, b"[]", f"{source}: empty list"),
        _raw(source, b'{"alerts": [', f"{source}: truncated JSON"),
        _raw(source, b"\xff\xfe\x00{", f"{source}: invalid UTF-8"),
        _raw(source, b'{"a":"\x00"}', f"{source}: raw NUL byte"),
        _raw(source, b"<xml/>", f"{source}: not JSON", **{"Content-Type": "text/xml"}),
    ]


def _times() -> list[Case]:
    cases = []
    for value in (1e20, float("nan"), float("inf"), float("-inf"), 10**20, "1e20"):
        body = encode(_am({"startsAt": value}))
        cases.append(_raw("alertmanager", body, f"alertmanager: startsAt {value!r}"))
        generic = encode({"name": "Fuzz", "status": "firing", "startsAt": value})
        cases.append(_raw("generic", generic, f"generic: startsAt {value!r}"))
    for created in (10**20, -(10**20), float("nan"), 1e300):
        body = encode({"action": "Create", "alert": {"alertId": "a", "createdAt": created}})
        cases.append(_raw("opsgenie", body, f"opsgenie: createdAt {created!r}"))
    pd = {
        "event": {
            "id": "e",
            "event_type": "incident.triggered",
            "resource_type": "incident",
            "occurred_at": "+275760-09-13T00:00:00Z",
            "data": {"id": "P1", "title": "t"},
        }
    }
    cases.append(_raw("pagerduty", encode(pd), "pagerduty: occurred_at beyond year 9999"))
    dd = {"title": "t", "id": "1", "date": "1e20"}
    cases.append(_raw("datadog", encode(dd), "datadog: date 1e20"))
    return cases


def _strings() -> list[Case]:
    lone = json.dumps(_am({"labels": {"alertname": "a\ud800b", "service": "\udfff"}})).encode()
    nul = encode(_am({"labels": {"alertname": "a\x00b", "service": "x\x00"}}))
    homoglyph = encode(_am({"labels": {"alertname": "HighLatency", "service": "сheckout"}}))
    return [
        _raw("alertmanager", lone, "alertmanager: lone surrogates in labels"),
        _raw("alertmanager", nul, "alertmanager: NUL in labels"),
        _raw(
            "alertmanager",
            encode(_am({"labels": {"alertname": "n" * 600}})),
            "alertmanager: 600-char name",
        ),
        _raw(
            "alertmanager",
            encode(_am({"fingerprint": "f" * 300})),
            "alertmanager: 300-char fingerprint",
        ),
        _raw("alertmanager", homoglyph, "alertmanager: homoglyph service"),
        _raw(
            "alertmanager",
            encode(_am({"labels": {"alertname": "N" * HUGE}})),
            "alertmanager: 4 MiB name",
        ),
        _raw(
            "datadog",
            encode({"title": "(a" * 32_768, "id": "1", "date": "1"}),
            "datadog: 64 KiB title",
        ),
        _raw(
            "generic",
            encode({"name": "x", "status": "firing", "labels": {"k" * 100_000: "v"}}),
            "generic: 100 kB label key",
        ),
        _raw(
            "alertmanager",
            encode(_am({}) | {"alerts": [_am({})["alerts"][0]] * 5_000}),
            "alertmanager: 5,000 alerts",
        ),
        _raw("alertmanager", b"{" + b" " * OVER_CAP + b"}", "alertmanager: 6 MiB body"),
    ]


def _unauthenticated() -> list[Case]:
    body = encode(_am({}))
    cases = [
        Case(WEBHOOK + "alertmanager", body, {"Content-Type": "application/json"}, "no token"),
        Case(WEBHOOK + "alertmanager", body, authed(token="wrong"), "wrong token"),
        Case(WEBHOOK + "made-up-source", body, authed(), "unknown source name"),
        Case(WEBHOOK + "x" * 5_000, body, {}, "5,000-char source name, no token"),
        Case(
            "/api/v1/silences",
            encode({"matchers": ['alertname=~".*"']}),
            authed(token=TOKEN),
            "silence with a webhook token",
        ),
        Case(
            "/api/v1/silences",
            encode({"matchers": ['alertname=~"(a+)+b"']}),
            {},
            "silence, no token",
        ),
    ]
    big = b'{"x":"' + b"a" * OVER_CAP + b'"}'
    cases.append(Case(WEBHOOK + "alertmanager", big, {}, "6 MiB body, no token"))
    return cases


def hostile() -> list[Case]:
    """Every fixed case, in a stable order."""
    cases: list[Case] = []
    for source in SOURCES:
        cases += _deep(source) + _malformed(source)
    return cases + _times() + _strings() + _unauthenticated()
