"""``POST /api/v1/deploys/assess`` through the real FastAPI app in-process: a responder's token
gets the score with its reasons (the diff and CI's XML reports in the body); no token is 401, a
viewer 403, and a malformed body or report a 422 that names what is wrong."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from tests.conftest import READ

VIEWER = {"Authorization": "Bearer viewer-token-51c2"}
URL = "/api/v1/deploys/assess"
JUNIT = '<testsuite name="t" tests="10" failures="1" errors="0" skipped="0"/>'
COBERTURA = '<coverage line-rate="{rate}" branch-rate="0" version="7"/>'


@pytest.fixture
def app(settings_for: Any, tmp_path: Path) -> Any:
    settings = settings_for(
        tmp_path,
        connectors=[],
        api={"users": {"vic": "viewer-token-51c2"}},
        ui={"users": {"vic": {"role": "viewer"}}},
    )
    nightowl = Nightowl(settings)
    yield nightowl
    nightowl.store.close()


def post(app: Nightowl, body: Any, headers: dict[str, str]) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await client.post(URL, json=body, headers=headers)

    return asyncio.run(main())


def test_an_assessment_with_the_diff_and_ci_reports(app: Nightowl) -> None:
    body = {
        "service": "checkout",
        "version": "v2.5.0",
        "at": "2026-11-20T03:05:00Z",
        "files": [
            {"path": "config/pool.yaml", "added": 3, "deleted": 1},
            {"path": "src/pay.py", "added": 40, "deleted": 2},
        ],
        "junit_xml": JUNIT,
        "cobertura_xml": COBERTURA.format(rate="0.70"),
        "cobertura_baseline_xml": COBERTURA.format(rate="0.80"),
    }
    answer = post(app, body, READ)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    got = {r["factor"]: r for r in out["reasons"]}
    assert got["change size"]["points"] == 5  # 46 lines
    assert got["change kinds"]["points"] == 15  # config 10 + code 5
    assert got["change kinds"]["evidence"] == {"config": "config/pool.yaml", "code": "src/pay.py"}
    assert got["tests"]["summary"] == "1 of 10 tests fail"
    assert got["coverage"]["points"] == 10
    assert out["score"] == sum(r["points"] for r in out["reasons"]) == 45
    assert out["recommendation"] == "caution"
    assert out["thresholds"] == {"caution": 30, "delay": 60}
    assert out["at"] == "2026-11-20T03:05:00Z"


def test_who_may_ask_and_what_is_refused(app: Nightowl) -> None:
    body = {"service": "checkout", "version": "v2"}
    assert post(app, body, {}).status_code == 401
    refused = post(app, body, VIEWER)
    assert refused.status_code == 403
    assert "responder" in refused.text
    missing = post(app, {"service": "checkout"}, READ)
    assert missing.status_code == 422
    assert "version" in missing.text
    unknown = post(app, {**body, "repo": "/etc"}, READ)
    assert unknown.status_code == 422
    bad_xml = post(app, {**body, "junit_xml": "<nope"}, READ)
    assert bad_xml.status_code == 422
    assert "JUnit report is not well-formed" in bad_xml.json()["detail"]
    naive = post(app, {**body, "at": "2026-11-20T03:05:00"}, READ)
    assert naive.status_code == 422
    assert "time zone" in naive.json()["detail"]
    lonely = post(app, {**body, "cobertura_baseline_xml": COBERTURA.format(rate="1")}, READ)
    assert "needs cobertura_xml" in lonely.json()["detail"]
