"""``/api/v1/silences`` over an unlaunched Nightowl (silences need no workflow): create, list,
expire, who may (a person with the responder role, never a webhook token), the audit trail, and
the errors a caller gets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from tests.conftest import READ, SettingsFactory

URL = "/api/v1/silences"
AUTH = {"Authorization": "Bearer dana-token-4e1"}
WEBHOOK = "silence-webhook-token-77c"
VIEWER = {"Authorization": "Bearer vic-token-0b9"}


@pytest.fixture
def app(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Nightowl]:
    settings = settings_for(
        tmp_path,
        # A webhook token for every source, and one named like the old silences "source".
        webhooks={"tokens": {"*": [WEBHOOK], "silences": [WEBHOOK]}},
        api={"users": {"dana": "dana-token-4e1", "vic": "vic-token-0b9"}},
        ui={"users": {"dana": {"role": "responder"}, "vic": {"role": "viewer"}}},
    )
    app = Nightowl(settings)
    yield app
    app.shutdown()


def call(app: Nightowl, scenario: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await scenario(client)

    return asyncio.run(main())


NEW = {
    "matchers": ['alertname="HighLatency"', 'service=~"check.*"'],
    "duration_minutes": 60,
    "created_by": "dana",
    "comment": "deploying the fix",
}


def test_a_silence_is_created_listed_and_expired(app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, ...]:
        created = await client.post(URL, json=NEW, headers=AUTH)
        listed = await client.get(URL, headers=READ)
        expired = await client.delete(f"{URL}/{created.json()['id']}", headers=AUTH)
        active = await client.get(URL, params={"active": "true"}, headers=READ)
        everything = await client.get(URL, headers=READ)
        return created, listed, expired, active, everything

    created, listed, expired, active, everything = call(app, scenario)

    assert created.status_code == 201, created.text
    silence = created.json()
    assert silence["matchers"] == [
        {"name": "alertname", "op": "=", "value": "HighLatency"},
        {"name": "service", "op": "=~", "value": "check.*"},
    ]
    assert (silence["created_by"], silence["comment"]) == ("dana", "deploying the fix")
    starts, ends = (datetime.fromisoformat(silence[k]) for k in ("starts_at", "ends_at"))
    assert ends - starts == timedelta(minutes=60)
    assert starts <= app.clock.now()
    assert [s["id"] for s in listed.json()] == [silence["id"]]
    assert expired.status_code == 200
    assert expired.json()["ends_at"] < silence["ends_at"]  # ended now, not in an hour
    assert active.json() == []
    assert [s["id"] for s in everything.json()] == [silence["id"]]
    assert app.intake.silence_store.list()[0].state(app.clock.now()).value == "expired"


def test_a_silence_with_explicit_times_in_the_future_is_pending(app: Nightowl) -> None:
    body = NEW | {"starts_at": "2099-01-01T00:00:00Z", "ends_at": "2099-01-01T02:00:00Z"}

    response = call(app, lambda client: client.post(URL, json=body, headers=AUTH))

    assert response.status_code == 201
    [silence] = app.intake.silence_store.list()
    assert silence.state(app.clock.now()).value == "pending"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {WEBHOOK}"}],
    ids=["no token", "unknown token", "webhook token"],
)
def test_creating_and_expiring_need_a_persons_token(app: Nightowl, headers: dict[str, str]) -> None:
    """Webhook tokens only ingest: even the shared one cannot mute paging."""

    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, ...]:
        made = await client.post(URL, json=NEW, headers=AUTH)
        created = await client.post(URL, json=NEW, headers=headers)
        expired = await client.delete(f"{URL}/{made.json()['id']}", headers=headers)
        return created, expired

    created, expired = call(app, scenario)

    assert (created.status_code, expired.status_code) == (401, 401)
    assert "token from api.users" in created.json()["detail"]
    [only] = app.intake.silence_store.list()
    assert only.state(app.clock.now()).value == "active"  # not expired by the refused call


def test_a_viewer_may_list_but_not_create_or_expire(app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, ...]:
        made = await client.post(URL, json=NEW, headers=AUTH)
        created = await client.post(URL, json=NEW | {"created_by": "vic"}, headers=VIEWER)
        expired = await client.delete(f"{URL}/{made.json()['id']}", headers=VIEWER)
        return created, expired, await client.get(URL, headers=VIEWER)

    created, expired, listed = call(app, scenario)

    assert (created.status_code, expired.status_code, listed.status_code) == (403, 403, 200)
    assert "vic (viewer) may not create or expire silences" in created.json()["error"]
    assert "responder role" in created.json()["error"]
    assert len(listed.json()) == 1


def test_a_forged_created_by_is_refused_and_the_default_is_the_token_holder(
    app: Nightowl,
) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, ...]:
        forged = await client.post(URL, json=NEW | {"created_by": "alice"}, headers=AUTH)
        mine = {k: v for k, v in NEW.items() if k != "created_by"}
        return forged, await client.post(URL, json=mine, headers=AUTH)

    forged, made = call(app, scenario)

    assert forged.status_code == 403
    assert "created_by 'alice' is not you (dana)" in forged.json()["error"]
    assert made.status_code == 201
    assert made.json()["created_by"] == "dana"
    assert [s.created_by for s in app.intake.silence_store.list()] == ["dana"]


def test_adding_and_expiring_are_in_the_audit_trail_as_the_token_holder(app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> str:
        made = await client.post(URL, json=NEW, headers=AUTH)
        await client.delete(f"{URL}/{made.json()['id']}", headers=AUTH)
        return str(made.json()["id"])

    silence_id = call(app, scenario)

    trail = [r for r in app.records.audit_records() if r.kind.startswith("silence")]
    assert [(r.kind, r.actor) for r in trail] == [
        ("silence-added", "dana"),
        ("silence-expired", "dana"),
    ]
    assert {r.data["id"] for r in trail} == {silence_id}
    assert trail[0].data["matchers"][0] == {"name": "alertname", "op": "=", "value": "HighLatency"}
    assert trail[0].data["via"] == "token"
    assert app.records.audit_check().ok


def test_a_bad_matcher_is_422_with_the_message(app: Nightowl) -> None:
    body = NEW | {"matchers": ["service~checkout"]}

    response = call(app, lambda client: client.post(URL, json=body, headers=AUTH))

    assert response.status_code == 422
    assert "cannot read matcher at 'service~checkout'" in response.json()["detail"]
    assert 'name="value"' in response.json()["detail"]


def test_a_bad_regular_expression_is_422_naming_it(app: Nightowl) -> None:
    body = NEW | {"matchers": ['service=~"check(out"']}

    response = call(app, lambda client: client.post(URL, json=body, headers=AUTH))

    assert response.status_code == 422
    assert "invalid regular expression" in response.json()["detail"]


def test_a_silence_ending_before_it_starts_is_422(app: Nightowl) -> None:
    body = NEW | {"starts_at": "2099-01-01T02:00:00Z", "ends_at": "2099-01-01T00:00:00Z"}

    response = call(app, lambda client: client.post(URL, json=body, headers=AUTH))

    assert response.status_code == 422
    assert "ends (2099-01-01 00:00) before it starts" in response.json()["detail"]


def test_a_silence_without_a_comment_is_422(app: Nightowl) -> None:
    response = call(app, lambda c: c.post(URL, json=NEW | {"comment": " "}, headers=AUTH))

    assert response.status_code == 422
    assert "say who and why" in response.json()["detail"]


def test_expiring_an_unknown_silence_is_404_saying_how_to_list(app: Nightowl) -> None:
    response = call(app, lambda client: client.delete(f"{URL}/nope", headers=AUTH))

    assert response.status_code == 404
    assert "no silence 'nope'" in response.json()["detail"]
    assert "nightowl silence list" in response.json()["detail"]
