"""``GET /api/v1/incidents/{id}/report``: the postmortem exported as the typed JSON model,
Markdown or HTML, for a reader only, on a real incident run through the pipeline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import IncidentStatus
from nightowl.report.model import Postmortem
from tests.approvals.flow import auth, page, settings_for
from tests.conftest import make_settings


def test_the_report_is_exported_in_every_format_to_readers_only(tmp_path: Path) -> None:
    app = Nightowl(settings_for(tmp_path))
    app.launch()
    try:
        done = page(app)

        async def ask() -> dict[str, httpx.Response]:
            transport = httpx.ASGITransport(app=create_api(app))
            async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
                url = f"/api/v1/incidents/{done.id}/report"
                return {
                    "json": await client.get(url, headers=auth("alice")),
                    "markdown": await client.get(
                        url, params={"format": "markdown"}, headers=auth("alice")
                    ),
                    "html": await client.get(url, params={"format": "html"}, headers=auth("alice")),
                    "pdf": await client.get(url, params={"format": "pdf"}, headers=auth("alice")),
                    "anonymous": await client.get(url),
                    "unknown": await client.get(
                        "/api/v1/incidents/nope/report", headers=auth("alice")
                    ),
                }

        answers = asyncio.run(ask())
    finally:
        app.shutdown()

    assert done.report_path is not None
    report = Postmortem.model_validate_json(answers["json"].content)
    assert answers["json"].headers["content-type"] == "application/json"
    assert (report.incident_id, report.outcome.status.value) == (done.id, "resolved")
    assert answers["markdown"].headers["content-type"].startswith("text/markdown")
    assert answers["markdown"].text == Path(done.report_path).read_text(encoding="utf-8")
    assert answers["html"].text.startswith("<!DOCTYPE html>")
    assert answers["pdf"].status_code == 422
    assert "markdown" in answers["pdf"].text
    assert answers["anonymous"].status_code == 401
    assert answers["unknown"].status_code == 404


def test_an_escalated_incident_is_closed_by_a_responder_with_the_reason(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        api={"users": {"dana": "dana-token-4e1", "vic": "vic-token-0b9"}},
        ui={"users": {"dana": {"role": "responder"}, "vic": {"role": "viewer"}}},
    )
    app = Nightowl(settings)
    try:
        store = app.records.stores.incidents
        for incident_id, status in (("inc-esc", "escalated"), ("inc-busy", "investigating")):
            store.create_incident(
                incident_id=incident_id, correlation_key=incident_id, title="HighLatency",
                service="checkout", severity=None, opened_at=datetime.now(UTC),
            )  # fmt: skip
            store.set_status(incident_id, IncidentStatus(status))

        async def ask() -> dict[str, httpx.Response]:
            transport = httpx.ASGITransport(app=create_api(app))
            async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:

                def post(incident_id: str, body: object, token: str | None) -> Any:
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    url = f"/api/v1/incidents/{incident_id}/resolve"
                    return client.post(url, json=body, headers=headers)

                reason = {"reason": "rolled back by hand"}
                return {
                    "anonymous": await post("inc-esc", reason, None),
                    "viewer": await post("inc-esc", reason, "vic-token-0b9"),
                    "no reason": await post("inc-esc", {}, "dana-token-4e1"),
                    "busy": await post("inc-busy", reason, "dana-token-4e1"),
                    "unknown": await post("inc-nope", reason, "dana-token-4e1"),
                    "closed": await post("inc-esc", reason, "dana-token-4e1"),
                }

        answers = asyncio.run(ask())
    finally:
        app.shutdown()
    codes = {name: answer.status_code for name, answer in answers.items()}
    assert codes == {
        "anonymous": 401, "viewer": 403, "no reason": 422, "busy": 409, "unknown": 404,
        "closed": 200,
    }  # fmt: skip
    assert "still working on it" in answers["busy"].text
    assert answers["closed"].json()["status"] == "resolved"
