"""Incident memory over the API (an unlaunched Nightowl: memory needs no workflow): similar
incidents, feedback by role and audited, corrections changing what is recalled, forgetting, and
the 4xx a caller gets for an incomplete request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain.memory import memory_of
from tests.conftest import READ, SettingsFactory
from tests.store.samples import T0, make_alert

ADMIN = {"Authorization": "Bearer ada-token-5c2"}
VIEWER = {"Authorization": "Bearer vic-token-0b9"}


@pytest.fixture
def app(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Nightowl]:
    settings = settings_for(
        tmp_path,
        api={"users": {"ada": "ada-token-5c2", "vic": "vic-token-0b9"}},
        ui={"users": {"ada": {"role": "admin"}, "vic": {"role": "viewer"}}},
    )
    app = Nightowl(settings)
    for n in (1, 2, 3):
        incident_id = f"inc-{n}"
        app.store.create_incident(
            incident_id=incident_id,
            correlation_key=incident_id,
            title="HighErrorRate on checkout",
            service="checkout",
            severity=None,
            opened_at=T0,
        )
        app.store.add_alerts(incident_id, [make_alert(f"h{n}", f"f{n}")], T0)
    for n in (1, 2):  # two finished ones; inc-3 is the new one
        app.stores.memory.remember(memory_of(app.store.get(f"inc-{n}")), T0)
    yield app
    app.shutdown()


def call(app: Nightowl, scenario: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await scenario(client)

    return asyncio.run(main())


CORRECT = {"verdict": "correct", "kind": "memory_leak", "service": "checkout", "note": "heap"}


def test_similar_feedback_and_the_correction_recalled_next_time(app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        before = await client.get("/api/v1/incidents/inc-3/similar", headers=READ)
        fed = await client.post("/api/v1/incidents/inc-1/feedback", json=CORRECT, headers=READ)
        after = await client.get("/api/v1/incidents/inc-3/similar?limit=5", headers=READ)
        return [before, fed, after]

    before, fed, after = call(app, scenario)
    assert before.status_code == 200
    assert sorted(m["memory"]["incident_id"] for m in before.json()) == ["inc-1", "inc-2"]
    assert fed.status_code == 201, fed.text
    assert fed.json()["author"] == "reader"  # the token holder, never a typed name
    recalled = {m["memory"]["incident_id"]: m["memory"] for m in after.json()}
    assert recalled["inc-1"]["feedback"][0]["kind"] == "memory_leak"
    kinds = [r.kind for r in app.audit.records(incident_id="inc-1")]
    assert "memory.feedback" in kinds


def test_feedback_needs_a_responder_and_a_complete_body(app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        url = "/api/v1/incidents/inc-1/feedback"
        return [
            await client.post(url, json={"verdict": "confirm"}, headers=VIEWER),
            await client.post(url, json={"verdict": "correct"}, headers=READ),
            await client.post(url, json={"verdict": "rate", "action": "rollback"}, headers=READ),
            await client.post("/api/v1/incidents/nope/feedback", json=CORRECT, headers=READ),
            await client.post(url, json={"verdict": "maybe"}, headers=READ),
            await client.post(url, json={"verdict": "confirm"}),
        ]

    viewer, no_cause, no_helped, unknown, bad, anonymous = call(app, scenario)
    assert viewer.status_code == 403
    assert no_cause.status_code == 400
    assert "true cause" in no_cause.json()["error"]
    assert no_helped.status_code == 400
    assert "whether it helped" in no_helped.json()["error"]
    assert unknown.status_code == 404
    assert bad.status_code == 422
    assert anonymous.status_code == 401
    assert app.stores.memory.feedback("inc-1") == []


def test_forget_takes_an_admin_and_exactly_one_thing_to_forget(app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        url = "/api/v1/memory/forget"
        await client.post("/api/v1/incidents/inc-1/feedback", json=CORRECT, headers=READ)
        return [
            await client.post(url, json={"incident_id": "inc-2"}, headers=READ),
            await client.post(url, json={}, headers=ADMIN),
            await client.post(url, json={"person": "reader"}, headers=ADMIN),
            await client.post(url, json={"incident_id": "inc-2"}, headers=ADMIN),
            await client.post(url, json={"older_than_days": 0}, headers=ADMIN),
        ]

    responder, nothing, person, incident, zero = call(app, scenario)
    assert responder.status_code == 403
    assert nothing.status_code == 400
    assert "exactly one" in nothing.json()["error"]
    assert person.json() == {"deleted": 1}
    assert incident.json() == {"deleted": 1}
    assert zero.status_code == 422
    assert app.stores.memory.count() == 1
    assert app.stores.memory.feedback("inc-1") == []
    forgets = [r for r in app.audit.records() if r.kind == "memory.forget"]
    assert len(forgets) == 2
    assert all("reader" not in str(r.data) for r in forgets)
