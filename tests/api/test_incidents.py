"""``GET /api/v1/incidents/{id}/report``: the postmortem exported as the typed JSON model,
Markdown or HTML, for a reader only, on a real incident run through the pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.report.model import Postmortem
from tests.approvals.flow import auth, page, settings_for


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
