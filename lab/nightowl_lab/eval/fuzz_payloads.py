"""What ``nightowl bench fuzz`` sends: payloads around each source's documented schema, and the
hostile cases of issue 18.

The generated payloads (hypothesis, seeded, generate phase only: no shrinking, no example
database) keep each source's shape — Alertmanager's ``alerts[].labels/startsAt``, Grafana's
unified and legacy forms, PagerDuty's v3 ``event.data``, Datadog's flat fields, Opsgenie's
``alert.createdAt``, the generic mapping's defaults, the deploys and silences API bodies — and vary
what fills it: any Unicode (lone surrogates and NUL included), wrong types, out-of-range and
non-finite times. The fixed cases are the ones a person found by hand: 1,000-deep JSON, a lone
surrogate in a label, ``startsAt`` of 1e20/NaN/Infinity, ``createdAt`` of 10**20, NUL bytes,
over-long names and fingerprints, a 4 MiB name, a 64 KiB Datadog title, a homoglyph service, a
body over the size cap, invalid UTF-8, and requests without (or with a wrong) token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

TOKEN = "fuzz-webhook-token"
API_TOKEN = "fuzz-api-token"
WEBHOOK = "/api/v1/webhooks/"
SOURCES = ("alertmanager", "grafana", "pagerduty", "datadog", "opsgenie", "generic")


@dataclass(frozen=True)
class Case:
    """One request: where it goes, its body and headers, and a label naming what it tries."""

    path: str
    body: bytes
    headers: dict[str, str]
    label: str


def authed(extra: dict[str, str] | None = None, token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"} | (extra or {})


# strategies ---------------------------------------------------------------------------------

_chars = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.just("\x00"))
WILD = st.text(_chars, max_size=40)
NAME = st.one_of(st.text(max_size=30), WILD, st.sampled_from(["HighLatency", "сheckout", "ＣＰＵ"]))
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), WILD
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WILD, inner, max_size=3),
    max_leaves=8,
)
TIME = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(["1e20", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "now", ""]),
    WILD,
    st.none(),
)
STATUS = st.one_of(st.sampled_from(["firing", "resolved"]), WILD)
LABELS = st.dictionaries(WILD, st.one_of(NAME, WILD, VALUE), max_size=6).map(
    lambda d: {"alertname": "Fuzz", **d}
)


def _prom_alert() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"status": STATUS, "labels": LABELS, "startsAt": TIME},
        optional={
            "annotations": st.dictionaries(WILD, st.one_of(WILD, VALUE), max_size=3),
            "endsAt": TIME,
            "fingerprint": st.one_of(WILD, st.integers(), st.text(min_size=190, max_size=260)),
            "generatorURL": WILD,
        },
    )


def _prometheus_like() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "version": st.one_of(st.just("4"), WILD),
            "status": STATUS,
            "groupKey": WILD,
            "alerts": st.lists(_prom_alert(), max_size=5),
        },
        optional={"commonLabels": LABELS, "truncatedAlerts": st.integers(), "receiver": WILD},
    )


def _grafana_legacy() -> st.SearchStrategy[dict[str, Any]]:
    match = st.fixed_dictionaries({"value": SCALAR, "metric": WILD}, optional={"tags": VALUE})
    return st.fixed_dictionaries(
        {"state": st.one_of(st.sampled_from(["alerting", "ok"]), WILD), "ruleName": NAME},
        optional={
            "ruleId": SCALAR,
            "title": WILD,
            "message": WILD,
            "evalMatches": st.lists(match, max_size=3),
        },
    )


def _pagerduty() -> st.SearchStrategy[dict[str, Any]]:
    data = st.fixed_dictionaries(
        {"id": WILD, "title": NAME, "status": st.one_of(st.just("triggered"), WILD)},
        optional={
            "created_at": TIME,
            "service": st.fixed_dictionaries({"summary": NAME}),
            "urgency": WILD,
            "number": SCALAR,
        },
    )
    kind = st.one_of(st.sampled_from(["incident.triggered", "incident.resolved"]), WILD)
    event = st.fixed_dictionaries(
        {
            "id": WILD,
            "event_type": kind,
            "resource_type": st.just("incident"),
            "occurred_at": TIME,
            "data": data,
        }
    )
    return st.fixed_dictionaries({"event": event})


def _datadog() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"title": NAME, "id": WILD, "date": st.one_of(TIME.map(str), SCALAR)},
        optional={
            "body": WILD,
            "alert_transition": st.one_of(st.sampled_from(["Triggered", "Recovered"]), WILD),
            "tags": st.one_of(WILD, st.lists(WILD, max_size=4)),
            "service": NAME,
            "alert_priority": WILD,
        },
    )


def _opsgenie() -> st.SearchStrategy[dict[str, Any]]:
    alert = st.fixed_dictionaries(
        {"alertId": WILD, "message": NAME},
        optional={
            "tags": st.lists(WILD, max_size=4),
            "createdAt": st.one_of(st.integers(min_value=-(2**80), max_value=2**80), SCALAR),
            "details": st.dictionaries(WILD, VALUE, max_size=3),
            "entity": NAME,
        },
    )
    action = st.one_of(st.sampled_from(["Create", "Close", "Acknowledge"]), WILD)
    return st.fixed_dictionaries({"action": action, "alert": alert})


def _generic() -> st.SearchStrategy[Any]:
    alert = st.fixed_dictionaries(
        {"name": NAME, "status": STATUS},
        optional={"labels": LABELS, "startsAt": TIME, "id": WILD, "annotations": VALUE},
    )
    return st.one_of(alert, st.fixed_dictionaries({"alerts": st.lists(alert, max_size=4)}), VALUE)


def _deploy() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"service": NAME, "version": WILD, "at": TIME},
        optional={"author": WILD, "commit": WILD, "summary": WILD, "previous_version": SCALAR},
    )


def _silence() -> st.SearchStrategy[dict[str, Any]]:
    matcher = st.one_of(
        st.builds(lambda k, v: f'{k}="{v}"', st.text(max_size=10), WILD),
        st.builds(lambda k, v: f'{k}=~"{v}"', st.text(max_size=10), st.text(max_size=30)),
        WILD,
    )
    return st.fixed_dictionaries(
        {"matchers": st.lists(matcher, max_size=4)},
        optional={"starts_at": TIME, "ends_at": TIME, "duration_minutes": SCALAR, "comment": WILD},
    )


STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "alertmanager": _prometheus_like,
    "grafana": lambda: st.one_of(_prometheus_like(), _grafana_legacy()),
    "pagerduty": _pagerduty,
    "datadog": _datadog,
    "opsgenie": _opsgenie,
    "generic": _generic,
}
API_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "/api/v1/deploys": _deploy,
    "/api/v1/silences": _silence,
}


def encode(value: Any) -> bytes:
    """JSON as a careless sender writes it: NaN/Infinity literals, lone surrogates escaped."""
    return json.dumps(value, allow_nan=True, default=str).encode()


def generate(strategy: st.SearchStrategy[Any], count: int, at_seed: int) -> list[Any]:
    """``count`` values drawn from ``strategy`` (generation only, reproducible by ``at_seed``)."""
    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(at_seed)
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn[:count]


def generated(per_target: int, at_seed: int) -> list[Case]:
    """``per_target`` generated payloads for every source and API body, authenticated."""
    cases: list[Case] = []
    targets = [(WEBHOOK + s, s, make) for s, make in STRATEGIES.items()]
    targets += [(path, path, make) for path, make in API_STRATEGIES.items()]
    for n, (path, name, make) in enumerate(targets):
        token = API_TOKEN if not path.startswith(WEBHOOK) else TOKEN
        for i, value in enumerate(generate(make(), per_target, at_seed + n)):
            label = f"{name}: generated #{i} (seed {at_seed + n})"
            cases.append(Case(path, encode(value), authed(token=token), label))
    return cases
