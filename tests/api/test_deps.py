"""Who may call what, over the application ``nightowl serve`` runs (API + UI + the webhook fast
path), in-process: every route but the public few answers 401 without a token (the routes are read
from the application, so a new route cannot forget), every write answers 403 to each role below
its minimum (``access.MINIMUM``) in the API and the UI alike, and the OpenAPI document declares the
schemes route by route."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from nightowl.api.fastpath import WebhookFastPath
from nightowl.api.openapi import document
from nightowl.app import Nightowl
from nightowl.app.access import MINIMUM, ORDER, Act
from nightowl.cli.serve import application
from nightowl.settings import Role
from tests.conftest import READ, SettingsFactory

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/"),  # redirects to the UI
    ("GET", "/ui"),
    ("GET", "/ui/login"),  # the login form, and logging in
    ("POST", "/ui/login"),
}
MCP = "/mcp"
STATIC = {"/ui/static", "/docs/assets"}  # the UI's CSS and JavaScript; Swagger UI's files
TOKENS = {role: f"{role.value}-token-5e0a" for role in Role}
WEBHOOK = "webhook-token-1d2c"
PATH_VALUES = {"source": "alertmanager"}  # a real source, so that it is its token that is missing


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def persons(role: Role) -> dict[str, str]:
    return bearer(TOKENS[role])


@pytest.fixture
def app(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Nightowl]:
    slack = {
        "name": "slack",
        "kind": "slack",
        "bot_token": "xoxb-test",
        "channel": "#incidents",
        "signing_secret": "s" * 32,
    }
    settings = settings_for(
        tmp_path,
        webhooks={"tokens": {"*": [WEBHOOK]}},
        api={"users": {role.value: TOKENS[role] for role in Role}},
        ui={"users": {role.value: {"role": role.value} for role in Role}},
        approvals={"approvers": {"*": ["admin"]}},
        notify={"notifiers": [slack]},
    )
    nightowl = Nightowl(settings)
    yield nightowl
    nightowl.shutdown()


def routes(api: FastAPI) -> Iterator[tuple[str, str]]:
    """Every (method, path template) the application answers, except its static files."""
    for route in iter_route_contexts(api.routes):  # what FastAPI's OpenAPI walks too
        if isinstance(route.original_route, Mount) and route.path == MCP:
            # the MCP server (streamable HTTP) behind the API's tokens: its three methods
            yield from (("DELETE", f"{MCP}/"), ("GET", f"{MCP}/"), ("POST", f"{MCP}/"))
            continue
        if isinstance(route.original_route, Mount):
            assert route.path in STATIC, f"an unexpected mount {route.path}: who may read it?"
            continue
        assert isinstance(route.original_route, APIRoute | Route), route
        assert route.path is not None
        for method in sorted((route.methods or set()) - {"HEAD"}):
            yield method, route.path


def concrete(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "x"), template)


def send(app: Nightowl, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    """Requests through the fast path and the served application, in one event loop."""
    server = WebhookFastPath(application(app), app)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=server)
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return [await client.request(m, url, **kw) for m, url, kw in requests]

    return asyncio.run(main())


def test_every_route_but_the_public_ones_answers_401_without_a_token(app: Nightowl) -> None:
    served = list(routes(application(app)))
    guarded = [(m, p) for m, p in served if (m, p) not in PUBLIC]
    answers = send(
        app, *[(m, concrete(p), {"headers": {"accept": "application/json"}}) for m, p in guarded]
    )

    assert len(guarded) >= 25  # the API and the UI, not an empty list
    assert {(m, p) for m, p in served} >= PUBLIC
    refused = {f"{m} {p}": r.status_code for (m, p), r in zip(guarded, answers, strict=True)}
    assert refused == dict.fromkeys(refused, 401)
    assert not any("Traceback" in r.text for r in answers)


def test_the_public_routes_answer_without_a_token(app: Nightowl) -> None:
    health, login, metrics = send(
        app,
        ("GET", "/healthz", {}),
        ("GET", "/ui/login", {}),
        ("GET", "/metrics", {}),
    )

    assert (health.status_code, login.status_code) == (200, 200)
    assert metrics.status_code == 401  # api.metrics_public is off by default


def test_metrics_are_public_only_when_configured(
    tmp_path: Path, settings_for: SettingsFactory
) -> None:
    app = Nightowl(settings_for(tmp_path, api={"metrics_public": True}))
    try:
        [metrics] = send(app, ("GET", "/metrics", {}))
    finally:
        app.shutdown()

    assert metrics.status_code == 200
    assert "nightowl_webhooks_total" in metrics.text


def test_fastapis_public_docs_are_gone_the_uis_take_a_login_the_document_a_token(
    app: Nightowl,
) -> None:
    docs, redoc, anonymous, read = send(
        app,
        ("GET", "/docs", {}),
        ("GET", "/redoc", {}),
        ("GET", "/openapi.json", {}),
        ("GET", "/openapi.json", {"headers": READ}),
    )

    assert (docs.status_code, redoc.status_code, anonymous.status_code) == (401, 404, 401)
    assert read.status_code == 200
    assert read.json()["paths"].keys() >= {"/api/v1/incidents", "/api/v1/silences"}


def test_the_openapi_document_declares_the_schemes_on_every_route() -> None:
    import json

    spec = json.loads(document())
    schemes = spec["components"]["securitySchemes"]
    operations = {
        f"{method.upper()} {path}": op.get("security")
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }

    assert schemes["userToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["userToken"]["description"],
    }
    assert schemes["webhookToken"]["scheme"] == "bearer"
    assert schemes["slackSignature"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Slack-Signature",
        "description": schemes["slackSignature"]["description"],
    }
    unsecured = [op for op, security in operations.items() if not security]
    assert unsecured == ["GET /healthz"]
    assert operations["GET /api/v1/incidents"] == [{"userToken": []}]
    assert operations["POST /api/v1/webhooks/{source}"] == [{"webhookToken": []}]
    assert operations["POST /api/v1/integrations/slack/interactions"] == [{"slackSignature": []}]
    assert operations["PUT /api/v1/killswitch"] == [{"userToken": []}]


SILENCE = {"matchers": ['alertname="HighLatency"'], "comment": "drill"}
WRITES: list[tuple[str, str, dict[str, Any], Act]] = [
    ("POST", "/api/v1/silences", {"json": SILENCE}, Act.SILENCE),
    ("DELETE", "/api/v1/silences/x", {}, Act.SILENCE),
    ("PUT", "/api/v1/killswitch", {"json": {"on": True}}, Act.KILLSWITCH_ON),
    ("PUT", "/api/v1/killswitch", {"json": {"on": False}}, Act.KILLSWITCH_OFF),
    ("POST", "/api/v1/approvals/x/approve", {}, Act.APPROVE),
    ("POST", "/api/v1/approvals/x/deny", {"json": {"reason": "no"}}, Act.APPROVE),
    ("POST", "/ui/silences", {"data": {"matchers": "alertname=X", "comment": "c"}}, Act.SILENCE),
    ("POST", "/ui/silences/x/expire", {}, Act.SILENCE),
    ("POST", "/ui/killswitch", {"data": {"on": "true"}}, Act.KILLSWITCH_ON),
    ("POST", "/ui/killswitch", {"data": {"on": "false"}}, Act.KILLSWITCH_OFF),
    ("POST", "/ui/approvals/x/approve", {}, Act.APPROVE),
]
BELOW = [
    pytest.param(method, path, kw, act, role, id=f"{role.value} {method} {path} {act.name}")
    for method, path, kw, act in WRITES
    for role in ORDER[: ORDER.index(MINIMUM[act])]
]


@pytest.mark.parametrize(("method", "path", "kwargs", "act", "role"), BELOW)
def test_each_role_below_the_minimum_gets_403_naming_the_role_it_takes(
    app: Nightowl, method: str, path: str, kwargs: dict[str, Any], act: Act, role: Role
) -> None:
    [answer] = send(app, (method, path, {**kwargs, "headers": persons(role)}))

    assert answer.status_code == 403, answer.text
    assert f"{role.value} ({role.value}) may not {act.value}" in answer.text
    assert f"it takes the {MINIMUM[act].value} role" in answer.text
    [refusal] = [r for r in app.records.audit_records() if r.kind.endswith(".refused")]
    assert (refusal.actor, refusal.data["act"]) == (role.value, act.name.lower())
    assert app.records.killswitch().on is False
    assert app.records.silences() == []


def test_a_viewer_cannot_turn_the_kill_switch_on_and_an_approver_can_do_what_approvers_do(
    app: Nightowl,
) -> None:
    viewer, on, silenced, off = send(
        app,
        ("PUT", "/api/v1/killswitch", {"json": {"on": True}, "headers": persons(Role.VIEWER)}),
        ("PUT", "/api/v1/killswitch", {"json": {"on": True}, "headers": persons(Role.APPROVER)}),
        ("POST", "/api/v1/silences", {"json": SILENCE, "headers": persons(Role.APPROVER)}),
        ("PUT", "/api/v1/killswitch", {"json": {"on": False}, "headers": persons(Role.ADMIN)}),
    )

    assert viewer.status_code == 403
    assert "viewer (viewer) may not turn the kill switch on" in viewer.json()["error"]
    assert on.status_code == 200, on.text
    assert on.json()["by"] == "approver"
    assert silenced.status_code == 201, silenced.text
    assert silenced.json()["created_by"] == "approver"
    assert off.status_code == 200, off.text  # admin is the global approver
    trail = [(r.kind, r.actor) for r in app.records.audit_records()]
    assert trail == [
        ("access.refused", "viewer"),
        ("killswitch", "approver"),
        ("silence-added", "approver"),
        ("killswitch", "admin"),
    ]


def test_every_read_is_open_to_a_viewer(app: Nightowl) -> None:
    reads = [
        (m, p)
        for m, p in routes(application(app))
        # (MCP's GET is its event stream, tested with a real server in tests/mcpserver)
        if m == "GET" and (m, p) not in PUBLIC and "{" not in p and not p.startswith(MCP)
    ]
    query = {"/api/v1/deploys": {"start": "2026-11-20T00:00:00Z", "end": "2026-11-21T00:00:00Z"}}
    answers = send(
        app,
        *[(m, p, {"headers": persons(Role.VIEWER), "params": query.get(p, {})}) for m, p in reads],
    )

    assert len(reads) >= 10
    statuses = {p: r.status_code for (_, p), r in zip(reads, answers, strict=True)}
    assert statuses == dict.fromkeys(statuses, 200)
