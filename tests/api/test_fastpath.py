"""The webhook endpoint as served (the fast path over the FastAPI app), probed as an attacker
would: oversized and endless bodies, made-up sources, no credentials, malformed payloads and
floods. Everything is refused with a 4xx; nothing is stored for a sender that did not
authenticate; a body is never read past the limit. Requests go through the real ASGI stack."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from nightowl.api.fastpath import WebhookFastPath
from nightowl.api.server import create_api
from nightowl.app import Nightowl
from tests.conftest import READ, TOKEN, SettingsFactory

T = TypeVar("T")
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
LIMIT = 64 * 1024
CHUNK = 16 * 1024


@pytest.fixture
def app(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Nightowl]:
    """An unlaunched Nightowl (no workflows: groups wait a minute) taking every source's TOKEN."""
    settings = settings_for(
        tmp_path,
        webhooks={"tokens": {"*": [TOKEN]}, "max_body_bytes": LIMIT},
        intake={"group_wait_seconds": 60},
    )
    nightowl = Nightowl(settings)
    yield nightowl
    nightowl.shutdown()


def serve(app: Nightowl, scenario: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    async def main() -> T:
        asgi = WebhookFastPath(create_api(app), app)
        transport = httpx.ASGITransport(app=asgi, client=("192.0.2.7", 40000))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as c:
                return await scenario(c)
        finally:
            await app.stop_background()

    return asyncio.run(main())


class Endless:
    """A body of ``chunks`` chunks that counts how many the server asked for."""

    def __init__(self, chunks: int) -> None:
        self.chunks, self.read = chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.read += 1
            yield b"x" * CHUNK


def counter(metrics: str, sample: str) -> float:
    line = next((ln for ln in metrics.splitlines() if ln.startswith(sample)), None)
    return float(line.rsplit(" ", 1)[1]) if line else 0.0


# bodies are bounded before they are read -------------------------------------------------


def test_a_declared_length_over_the_limit_is_413_before_the_body_is_read(app: Nightowl) -> None:
    body = Endless(12_800)  # 200 MiB
    headers = {**AUTH, "Content-Length": str(200 * 1024 * 1024)}

    response = serve(
        app, lambda c: c.post("/api/v1/webhooks/grafana", content=body, headers=headers)
    )

    assert response.status_code == 413
    assert "exceeds webhooks.max_body_bytes" in response.json()["error"]
    assert body.read <= LIMIT // CHUNK + 1  # the authenticated sender's first 64 KiB, no more
    [letter] = app.store.list_dead_letters()
    assert len(letter.body) == LIMIT


def test_an_unauthenticated_body_is_refused_without_reading_it(app: Nightowl) -> None:
    body = Endless(12_800)
    headers = {"Content-Type": "application/json", "Content-Length": str(200 * 1024 * 1024)}

    response = serve(
        app, lambda c: c.post("/api/v1/webhooks/alertmanager", content=body, headers=headers)
    )

    assert response.status_code == 401
    assert body.read == 0
    assert app.store.list_dead_letters() == []


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(app: Nightowl) -> None:
    body = Endless(12_800)  # no Content-Length: sent chunked

    response = serve(
        app, lambda c: c.post("/api/v1/webhooks/alertmanager", content=body, headers=AUTH)
    )

    assert response.status_code == 413
    assert body.read <= LIMIT // CHUNK + 2
    assert [len(d.body) for d in app.store.list_dead_letters()] == [LIMIT]


def test_a_content_length_that_is_not_a_number_is_400(app: Nightowl) -> None:
    async def scenario(c: httpx.AsyncClient) -> httpx.Response:
        request = c.build_request("POST", "/api/v1/webhooks/alertmanager", content=b"{}")
        request.headers.update({**AUTH, "Content-Length": "lots"})
        return await c.send(request)

    response = serve(app, scenario)

    assert response.status_code == 400
    assert "Content-Length 'lots' is not a number" in response.json()["error"]


# refusals of unauthenticated callers are counted, never stored ------------------------------


def test_made_up_sources_are_404_under_one_metric_label_and_not_stored(app: Nightowl) -> None:
    async def scenario(c: httpx.AsyncClient) -> tuple[list[int], str]:
        codes = [
            (await c.post(f"/api/v1/webhooks/made-up-{n}", content=b"x" * 1000)).status_code
            for n in range(20)
        ]
        return codes, (await c.get("/metrics", headers=READ)).text

    codes, metrics = serve(app, scenario)

    assert codes == [404] * 20
    assert "made-up" not in metrics
    sample = 'nightowl_webhooks_total{outcome="unknown_source",source="unknown"}'
    assert counter(metrics, sample) >= 20
    assert app.store.list_dead_letters() == []


def test_a_wrong_token_is_counted_as_unauthenticated_and_not_stored(app: Nightowl) -> None:
    sample = 'nightowl_webhooks_total{outcome="unauthenticated",source="datadog"}'

    async def scenario(c: httpx.AsyncClient) -> tuple[float, int, float]:
        before = counter((await c.get("/metrics", headers=READ)).text, sample)
        headers = {"Authorization": "Bearer guessed"}
        status = (
            await c.post("/api/v1/webhooks/datadog", content=b"{}", headers=headers)
        ).status_code
        return before, status, counter((await c.get("/metrics", headers=READ)).text, sample)

    before, status, after = serve(app, scenario)

    assert status == 401
    assert after == before + 1
    assert app.store.list_dead_letters() == []


# every parse failure is a 4xx, never a 500 ---------------------------------------------------

AM_ALERT = {"status": "firing", "labels": {"alertname": "A"}, "startsAt": "2026-11-20T03:00:00Z"}


def alertmanager(**alert: Any) -> bytes:
    body = {"version": "4", "status": "firing", "groupKey": "k", "alerts": [{**AM_ALERT, **alert}]}
    return json.dumps(body).encode()


def opsgenie(created_at: object) -> bytes:
    body = {"action": "Create", "alert": {"alertId": "a1", "message": "m", "createdAt": created_at}}
    return json.dumps(body).encode()


PROBES = {
    "nested 1,000 deep": ("generic", b'{"alerts": ' + b"[" * 1000 + b"]" * 1000 + b"}"),
    "nested labels": (
        "generic",
        b'{"name": "a", "labels": {"x": ' + b"[" * 900 + b"]" * 900 + b"}}",
    ),
    "a lone surrogate in a label": (
        "alertmanager",
        alertmanager().replace(b'"alertname": "A"', b'"alertname": "A", "x": "\\ud800"'),
    ),
    "startsAt 1e20": ("generic", b'{"name": "a", "startsAt": 1e20}'),
    "startsAt NaN": ("generic", b'{"name": "a", "startsAt": NaN}'),
    "startsAt Infinity": ("generic", b'{"name": "a", "startsAt": Infinity}'),
    "startsAt 'NaN'": ("generic", b'{"name": "a", "startsAt": "NaN"}'),
    "startsAt -1e300": ("generic", b'{"name": "a", "startsAt": -1e300}'),
    "startsAt in year 1 east of UTC": (
        "alertmanager",
        alertmanager(startsAt="0001-01-01T00:00:00+05:00"),
    ),
    "Opsgenie createdAt 10**20": ("opsgenie", opsgenie(10**20)),
    "Opsgenie createdAt -10**20": ("opsgenie", opsgenie(-(10**20))),
    "Datadog date 10**30": (
        "datadog",
        json.dumps({"title": "t", "id": "1", "date": str(10**30)}).encode(),
    ),
    "too many labels": (
        "alertmanager",
        alertmanager(labels={"alertname": "A", **{f"l{n}": "v" for n in range(100)}}),
    ),
}


@pytest.mark.parametrize("probe", list(PROBES))
def test_a_malformed_payload_is_422_and_kept_for_the_authenticated_sender(
    app: Nightowl, probe: str
) -> None:
    source, body = PROBES[probe]

    response = serve(
        app, lambda c: c.post(f"/api/v1/webhooks/{source}", content=body, headers=AUTH)
    )

    assert response.status_code == 422, response.text
    assert response.json()["dead_letter_id"] is not None
    assert [d.body for d in app.store.list_dead_letters()] == [body]


# floods are answered 429 --------------------------------------------------------------------


def test_a_client_over_its_rate_limit_is_429_with_retry_after(
    tmp_path: Path, settings_for: SettingsFactory
) -> None:
    settings = settings_for(
        tmp_path,
        webhooks={"tokens": {"*": [TOKEN]}, "rate_limits": {"webhooks": "3/minute"}},
        intake={"group_wait_seconds": 60},
    )
    app = Nightowl(settings)

    async def scenario(c: httpx.AsyncClient) -> list[httpx.Response]:
        return [await c.post("/api/v1/webhooks/nope", content=b"{}") for _ in range(5)]

    try:
        responses = serve(app, scenario)
    finally:
        app.shutdown()

    assert [r.status_code for r in responses] == [404, 404, 404, 429, 429]
    assert 1 <= int(responses[3].headers["retry-after"]) <= 60
    assert "webhooks.rate_limits.webhooks (3/minute)" in responses[3].json()["error"]
