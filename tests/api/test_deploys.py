"""``POST /api/v1/deploys`` through the real FastAPI app in-process: a CI pipeline's deploy is
authenticated, recorded once (idempotent retries), rejected with a clear 4xx and dead-lettered when
bad, listed back, and used as evidence by the gather stage (the ``recorded`` deploy source)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.connectors.gather import Gather
from tests.conftest import READ

TOKEN = "deploy-token-1c9e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(settings_for: Any, tmp_path: Path) -> Any:
    nightowl = Nightowl(settings_for(tmp_path, webhooks={"tokens": {"deploys": [TOKEN]}}))
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


def test_a_deploy_is_recorded_once_and_listed(app: Nightowl) -> None:
    body = {
        "service": "checkout",
        "version": "v2.5.0",
        "commit": "abc123",
        "author": "ci",
        "summary": "new cart",
        "at": "2026-11-20T04:30:00+02:00",
    }
    window = "/api/v1/deploys?start=2026-11-20T00:00:00Z&end=2026-11-21T00:00:00Z&service=checkout"
    first, again, listed, by_ci = call(
        app,
        ("POST", "/api/v1/deploys", body, AUTH),
        ("POST", "/api/v1/deploys", body, AUTH),
        ("GET", window, None, READ),
        ("GET", window, None, AUTH),  # the pipeline's token only ingests
    )
    assert by_ci.status_code == 401
    assert first.status_code == 201
    assert first.json()["created"] is True
    assert first.json()["deploy"]["at"] == "2026-11-20T02:30:00Z"
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    assert [d["version"] for d in listed.json()] == ["v2.5.0"]
    assert listed.json()[0]["source"] == "api"


def test_bad_deploys_are_rejected_clearly_and_kept_for_authenticated_senders_only(
    app: Nightowl,
) -> None:
    missing, naive, unauthorised = call(
        app,
        ("POST", "/api/v1/deploys", {"service": "checkout"}, AUTH),
        (
            "POST",
            "/api/v1/deploys",
            {"service": "checkout", "version": "v1", "at": "2026-11-20T04:30:00"},
            AUTH,
        ),
        (
            "POST",
            "/api/v1/deploys",
            {"service": "checkout", "version": "v1"},
            {"Authorization": "Bearer wrong"},
        ),
    )
    assert missing.status_code == 422
    assert missing.json()["error"] == "deploys payload at 'version': Field required"
    assert naive.status_code == 422
    assert "at 'at': give a time zone" in naive.json()["error"]
    assert unauthorised.status_code == 401
    assert unauthorised.json()["dead_letter_id"] is None
    kept = app.store.list_dead_letters()
    assert len(kept) == 2  # the unauthenticated one is answered, not stored
    assert all(d.source == "deploys" and d.sender == "bearer" for d in kept)
    assert all("authorization" not in d.headers for d in kept)


def test_recorded_deploys_are_evidence_for_the_gather_stage(app: Nightowl) -> None:
    page = app.clock.now()
    at = (page - timedelta(minutes=10)).isoformat()
    (posted,) = call(
        app,
        ("POST", "/api/v1/deploys", {"service": "checkout", "version": "v9.9.9", "at": at}, AUTH),
    )
    assert posted.status_code == 201
    gather = Gather(app.reads, app.settings.gather, app.clock)
    obs = asyncio.run(gather.gather("checkout"))
    assert ("v9.9.9", "api") in [(d.version, d.source) for d in obs.deploys]
    assert "recorded" in obs.sources["deploys"]
