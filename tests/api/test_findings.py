"""``/api/v1/findings`` through the real FastAPI app in-process: listed and read by any role,
accepted only by an approver (refusals audited), bad input answered with a clear 4xx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain.findings import Finding
from tests.conftest import READ, make_settings

APPROVER = {"Authorization": "Bearer tok-root"}
FOUND = Finding(watcher="drift", kind="drift", resource="aws_lb.web", title="rule changed")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Nightowl]:
    settings = make_settings(
        tmp_path, api={"users": {"root": "tok-root"}}, approvals={"approvers": {"*": ["root"]}}
    )
    nightowl = Nightowl(settings)
    nightowl.stores.findings.sweep("drift", [FOUND], datetime(2030, 1, 1, tzinfo=UTC))
    yield nightowl
    nightowl.shutdown()


def call(
    app: Nightowl, method: str, url: str, headers: dict[str, str], body: Any = None
) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await client.request(method, url, json=body, headers=headers)

    return asyncio.run(main())


def test_any_role_lists_and_reads_findings(app: Nightowl) -> None:
    listed = call(app, "GET", "/api/v1/findings?state=new&watcher=drift", READ)
    assert listed.status_code == 200
    assert [f["resource"] for f in listed.json()] == ["aws_lb.web"]
    one = call(app, "GET", f"/api/v1/findings/{FOUND.fingerprint}", READ)
    assert one.json()["title"] == "rule changed"
    assert call(app, "GET", "/api/v1/findings/nope", READ).status_code == 404
    assert call(app, "GET", "/api/v1/findings", {}).status_code == 401
    assert call(app, "GET", "/api/v1/findings?state=bogus", READ).status_code == 422


def test_only_an_approver_accepts_and_a_refusal_is_audited(app: Nightowl) -> None:
    url = f"/api/v1/findings/{FOUND.fingerprint}/accept"
    body = {"until": "2999-01-01T00:00:00Z"}
    refused = call(app, "POST", url, READ, body)
    assert refused.status_code == 403
    assert "approver" in refused.text
    accepted = call(app, "POST", url, APPROVER, body)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"
    kinds = [r.kind for r in app.records.audit_records()]
    assert "access.refused" in kinds
    assert "finding.accepted" in kinds
    past = call(app, "POST", url, APPROVER, {"until": "2000-01-01T00:00:00Z"})
    assert past.status_code == 409
    assert "future" in past.json()["detail"]
    naive = call(app, "POST", url, APPROVER, {"until": "2999-01-01T00:00:00"})
    assert naive.status_code == 422
