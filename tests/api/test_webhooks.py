"""The HTTP API over a launched Nightowl: webhooks in (accepted, deduplicated or dead-lettered),
incidents, health and metrics out. Requests go through the real FastAPI app in-process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from dbos import DBOS
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import AlertStatus, IncidentStatus, StageStatus
from nightowl.workflow import engine
from nightowl.workflow.pipeline import PIPELINE
from tests.conftest import READ, SettingsFactory

HOOK = "/api/v1/webhooks/alertmanager"
T = TypeVar("T")
Client = Callable[[httpx.AsyncClient], Awaitable[T]]


def payload() -> dict[str, Any]:
    return alertmanager_payload(load_scenario(bundled_scenario("checkout-bad-deploy")))


def body_of(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def call(app: Nightowl, scenario: Client[T]) -> T:
    """Run ``scenario`` against the app's API, in one event loop (the workflow's tasks live there)."""

    async def main() -> T:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await scenario(client)

    return asyncio.run(main())


async def post(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    sent = {"Content-Type": "application/json", **headers}
    return await client.post(HOOK, content=body, headers=sent)


def auth(app: Nightowl) -> dict[str, str]:
    """The Authorization header of the token the test settings accept."""
    return {"Authorization": f"Bearer {app.settings.webhook_tokens('alertmanager')[0]}"}


def dead_letter_bodies(app: Nightowl) -> list[bytes]:
    return [d.body for d in app.store.list_dead_letters()]


def test_a_valid_payload_is_accepted_and_opens_an_incident(running_app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        response = await post(client, body_of(payload()), auth(running_app))
        await engine.wait_for(response.json()["incident_id"], timeout=120)
        return response

    response = call(running_app, scenario)

    assert response.status_code == 202
    answer = response.json()
    assert answer["incident_id"].startswith("inc-")
    assert answer["created"] is True
    assert (answer["new_alerts"], answer["duplicates"]) == (1, 0)
    incident = running_app.store.get(answer["incident_id"])
    assert incident.service == "checkout"
    assert [a.name for a in incident.alerts] == ["HighLatency"]
    assert running_app.store.list_dead_letters() == []


def test_the_same_body_twice_names_the_same_incident_and_runs_one_workflow(
    running_app: Nightowl,
) -> None:
    body = body_of(payload())

    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        first = await post(client, body, auth(running_app))
        second = await post(client, body, auth(running_app))
        await engine.wait_for(first.json()["incident_id"], timeout=120)
        return first, second

    first, second = call(running_app, scenario)

    assert (first.status_code, second.status_code) == (202, 202)
    incident_id = first.json()["incident_id"]
    assert second.json()["incident_id"] == incident_id
    assert second.json()["created"] is False
    assert (second.json()["new_alerts"], second.json()["duplicates"]) == (0, 1)
    workflows = [w for w in DBOS.list_workflows() if w.name == "nightowl.incident"]
    assert [w.workflow_id for w in workflows] == [incident_id]  # its act stage is a child
    incident = running_app.store.get(incident_id)
    assert len(incident.alerts) == 1
    assert [s.stage for s in incident.stages] == list(PIPELINE)
    assert all(s.attempt == 1 for s in incident.stages)
    assert all(s.status is StageStatus.COMPLETED for s in incident.stages)


def test_a_missing_token_is_refused_and_nothing_is_stored(running_app: Nightowl) -> None:
    body = body_of(payload())

    response = call(
        running_app, lambda client: post(client, body, {"Cookie": "session=secret-cookie"})
    )

    assert response.status_code == 401
    assert "missing bearer token" in response.json()["error"]
    assert response.json()["dead_letter_id"] is None
    assert running_app.store.list_dead_letters() == []
    assert running_app.store.list() == []


def test_a_wrong_token_is_refused_and_nothing_is_stored(running_app: Nightowl) -> None:
    headers = {"Authorization": "Bearer not-the-token", "X-Request-Id": "abc-123"}

    response = call(running_app, lambda client: post(client, body_of(payload()), headers))

    assert response.status_code == 401
    assert "not accepted" in response.json()["error"]
    assert running_app.store.list_dead_letters() == []
    assert running_app.store.list() == []


def test_an_authenticated_bad_body_is_kept_byte_for_byte_with_allow_listed_headers_only(
    running_app: Nightowl,
) -> None:
    body = b'{"version": "4", "alerts": []}\n  '  # trailing bytes must survive too
    secret_headers = {
        "X-Authentication": "secret-1",
        "X-Webhook-Auth": "secret-2",
        "X-Access-Key": "secret-3",
        "Cookie": "session=secret-4",
    }
    headers = {**auth(running_app), **secret_headers, "X-Request-Id": "abc-123"}

    response = call(running_app, lambda client: post(client, body, headers))

    assert response.status_code == 422
    [letter] = running_app.store.list_dead_letters()
    assert letter.id == response.json()["dead_letter_id"]
    assert (letter.body, letter.source, letter.sender) == (body, "alertmanager", "bearer")
    assert letter.content_type == "application/json"
    stored = {k.lower(): v for k, v in letter.headers.items()}
    assert stored["x-request-id"] == "abc-123"
    assert not {"authorization", *(h.lower() for h in secret_headers)} & set(stored)
    assert "secret-" not in json.dumps(letter.headers)


def test_a_payload_missing_a_field_is_422_naming_it_and_dead_lettered(
    running_app: Nightowl,
) -> None:
    data = payload()
    del data["alerts"][0]["startsAt"]
    body = body_of(data)

    response = call(running_app, lambda client: post(client, body, auth(running_app)))

    assert response.status_code == 422
    assert "alerts.0.startsAt" in response.json()["error"]
    assert dead_letter_bodies(running_app) == [body]
    assert running_app.store.list() == []


def test_invalid_utf8_is_422_and_dead_lettered(running_app: Nightowl) -> None:
    body = b'{"version": "4", "status": "firing\xff\xfe"}'

    response = call(running_app, lambda client: post(client, body, auth(running_app)))

    assert response.status_code == 422
    assert "UTF-8" in response.json()["error"]
    assert dead_letter_bodies(running_app) == [body]


def test_an_unknown_source_is_404_naming_the_known_ones(running_app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(
            "/api/v1/webhooks/nagios", content=body_of(payload()), headers=auth(running_app)
        )

    response = call(running_app, scenario)

    assert response.status_code == 404
    assert "nagios" in response.json()["error"]
    assert "alertmanager" in response.json()["error"]
    assert running_app.store.list() == []


def test_a_resolved_notification_without_an_open_incident_is_accepted_but_opens_nothing(
    running_app: Nightowl,
) -> None:
    scenario_ = load_scenario(bundled_scenario("checkout-bad-deploy"))
    body = body_of(alertmanager_payload(scenario_, resolved=True))

    response = call(running_app, lambda client: post(client, body, auth(running_app)))

    assert response.status_code == 202
    assert response.json()["incident_id"] is None
    assert running_app.store.list() == []
    assert DBOS.list_workflows() == []


def test_incidents_are_listed_and_shown(running_app: Nightowl) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, ...]:
        accepted = await post(client, body_of(payload()), auth(running_app))
        incident_id = accepted.json()["incident_id"]
        await engine.wait_for(incident_id, timeout=120)
        listed = await client.get("/api/v1/incidents", headers=READ)
        shown = await client.get(f"/api/v1/incidents/{incident_id}", headers=READ)
        filtered = await client.get(
            "/api/v1/incidents", params={"status": "resolved"}, headers=READ
        )
        return accepted, listed, shown, filtered

    accepted, listed, shown, filtered = call(running_app, scenario)

    incident_id = accepted.json()["incident_id"]
    assert listed.status_code == 200
    [summary] = listed.json()
    assert summary["id"] == incident_id
    assert summary["service"] == "checkout"
    assert summary["alert_count"] == 1
    assert shown.status_code == 200
    detail = shown.json()
    assert detail["id"] == incident_id
    assert detail["alerts"][0]["status"] == AlertStatus.FIRING.value
    assert detail["diagnosis"]["root_cause"]["kind"] == "bad_deploy"
    # autonomy 'suggest' (the default): proposed to a human, not executed
    assert detail["status"] == IncidentStatus.AWAITING_APPROVAL.value
    assert filtered.json() == []


def test_an_unknown_incident_is_404_with_a_helpful_message(running_app: Nightowl) -> None:
    response = call(
        running_app, lambda client: client.get("/api/v1/incidents/inc-nope", headers=READ)
    )

    assert response.status_code == 404
    assert "inc-nope" in response.json()["detail"]
    assert "nightowl incidents list" in response.json()["detail"]


def test_healthz_reports_the_store_ok(running_app: Nightowl) -> None:
    response = call(running_app, lambda client: client.get("/healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "ok"}


@pytest.mark.parametrize(("valid", "outcome"), [(True, "accepted"), (False, "rejected")])
def test_metrics_count_webhooks_by_source_and_outcome(
    running_app: Nightowl, valid: bool, outcome: str
) -> None:
    scenario_ = load_scenario(bundled_scenario("checkout-bad-deploy"))
    resolved = body_of(alertmanager_payload(scenario_, resolved=True))  # opens no workflow
    headers = auth(running_app)
    if not valid:
        resolved = resolved.replace(b'"version": "4"', b'"version": "3"')
    sample = f'nightowl_webhooks_total{{outcome="{outcome}",source="alertmanager"}}'

    async def scenario(client: httpx.AsyncClient) -> tuple[float, httpx.Response]:
        before = counter(await client.get("/metrics", headers=READ), sample)
        await post(client, resolved, headers)
        return before, await client.get("/metrics", headers=READ)

    before, after = call(running_app, scenario)

    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    assert "# TYPE nightowl_webhooks_total counter" in after.text
    assert counter(after, sample) == before + 1


def counter(response: httpx.Response, sample: str) -> float:
    for line in response.text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.postgres
def test_on_postgresql_one_poisoned_alert_fails_no_request_batched_with_it(
    tmp_path: Path, settings_for: SettingsFactory, postgres_url: str
) -> None:
    """A NUL byte, a 600-character name and a 300-character fingerprint used to fail the whole
    group commit on PostgreSQL (28 to 38 of 40 concurrent good requests answered 500)."""
    settings = settings_for(
        tmp_path,
        store={"url": postgres_url},
        intake={"group_wait_seconds": 60, "batch_wait_ms": 50},
    )
    app = Nightowl(settings)
    good = [alertmanager_body(f"Probe{n}", f"fp-{n}") for n in range(40)]
    poisoned = alertmanager_body("Poi\x00son" + "n" * 600, "f" * 300)

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        sent = [post(client, body, auth(app)) for body in [*good[:20], poisoned, *good[20:]]]
        return list(await asyncio.gather(*sent))

    try:
        responses = call(app, scenario)
    finally:
        asyncio.run(app.stop_background())
        app.shutdown()

    assert [r.status_code for r in responses] == [202] * 41, [r.text for r in responses]
    assert all(r.json()["new_alerts"] == 1 for r in responses)


def alertmanager_body(name: str, fingerprint: str) -> bytes:
    alert = {
        "status": "firing",
        "labels": {"alertname": name, "service": "checkout"},
        "startsAt": "2026-11-20T03:00:00Z",
        "fingerprint": fingerprint,
    }
    return body_of({"version": "4", "status": "firing", "groupKey": "k", "alerts": [alert]})
