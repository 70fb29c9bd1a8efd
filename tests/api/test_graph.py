"""``GET /api/v1/graph/services/{name}`` and ``/who-changed`` through the real FastAPI app
in-process: a deploy pushed to ``POST /api/v1/deploys`` is at once in the graph with who, what,
when and commit; owners come from the config and dependencies from the replayed scenario's
topology after a refresh; a token is required, bad input is a clear 422, an unknown service is
``known: false``."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from tests.conftest import READ

TOKEN = "deploy-token-77a1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(settings_for: Any, tmp_path: Path) -> Any:
    settings = settings_for(
        tmp_path,
        webhooks={"tokens": {"deploys": [TOKEN]}},
        graph={"owners": {"checkout": ["team:checkout-team"]}, "on_call": {"checkout": ["ana"]}},
    )
    nightowl = Nightowl(settings)
    yield nightowl
    nightowl.store.close()


def call(
    app: Nightowl, *requests: tuple[str, str, dict[str, Any] | None, dict[str, str]]
) -> list[httpx.Response]:
    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return [
                await client.request(method, url, json=body, headers=headers)
                for method, url, body, headers in requests
            ]

    return asyncio.run(main())


def test_a_pushed_deploy_answers_who_changed_the_service(app: Nightowl) -> None:
    at = (app.clock.now() - timedelta(minutes=30)).isoformat()
    body = {"service": "checkout", "version": "v2.6.0", "commit": "c0ffee1", "author": "ana",
            "summary": "cart: new pricing (#512)", "at": at}  # fmt: skip
    pushed, card, changed, old = call(
        app,
        ("POST", "/api/v1/deploys", body, AUTH),
        ("GET", "/api/v1/graph/services/checkout", None, READ),
        ("GET", "/api/v1/graph/services/checkout/who-changed?since_minutes=60", None, READ),
        ("GET", "/api/v1/graph/services/checkout/who-changed?since_minutes=10", None, READ),
    )
    assert pushed.status_code == 201
    assert card.status_code == 200
    assert card.json()["known"] is True
    (change,) = card.json()["changes"]
    assert (change["author"], change["version"], change["commit"], change["pr"]) == (
        "ana", "v2.6.0", "c0ffee1", "512"
    )  # fmt: skip
    assert [c["version"] for c in changed.json()] == ["v2.6.0"]
    assert old.json() == []  # 30 minutes ago is before the last 10


def test_owners_and_dependencies_after_a_refresh(app: Nightowl) -> None:
    results = asyncio.run(app.refresh_graph())
    assert all(r.error is None for r in results), results
    (card,) = call(app, ("GET", "/api/v1/graph/services/checkout", None, READ))
    body = card.json()
    assert [(o["name"], o["kind"]) for o in body["owners"]] == [("checkout-team", "team")]
    assert [o["name"] for o in body["on_call"]] == ["ana"]
    topology = app.reads.topology[0]
    expected = asyncio.run(topology.dependencies())
    assert expected.get("checkout"), "the scenario's topology gives checkout dependencies"
    assert {d["service"] for d in body["dependencies"] if d["hops"] == 1} == set(
        expected.get("checkout", [])
    )


def test_reading_the_graph_takes_a_token_and_bounded_input(app: Nightowl) -> None:
    anonymous, bad_since, too_far, unknown = call(
        app,
        ("GET", "/api/v1/graph/services/checkout", None, {}),
        ("GET", "/api/v1/graph/services/checkout/who-changed?since_minutes=0", None, READ),
        ("GET", "/api/v1/graph/services/checkout?hops=99", None, READ),
        ("GET", "/api/v1/graph/services/nosuch", None, READ),
    )
    assert anonymous.status_code == 401
    assert bad_since.status_code == 422
    assert "since_minutes" in bad_since.text
    assert too_far.status_code == 422
    assert "hops" in too_far.text
    assert unknown.status_code == 200
    assert unknown.json()["known"] is False
    assert unknown.json()["owners"] == []
