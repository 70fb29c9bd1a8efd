"""Driving a real nightowl (API, store, DBOS workflow, simulated cluster) through the remediation
half of an incident, for the approval and adversarial tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import Incident
from nightowl.settings import Settings
from nightowl.workflow import engine

TOKEN = "test-webhook-token-6d1f0c"
USERS = {"alice": "tok-alice", "mallory": "tok-mallory", "root": "tok-root"}


def settings_for(tmp_path: Path, scenario: Path | None = None, **sections: Any) -> Settings:
    raw: dict[str, Any] = {
        "data_dir": str(tmp_path),
        "connectors": [
            {
                "name": "scenario",
                "kind": "replay",
                "scenario": str(scenario or bundled_scenario("checkout-bad-deploy")),
            }
        ],
        "policy": {"autonomy": "act"},
        "actions": {"dry_run": False},
        "webhooks": {"tokens": {"alertmanager": [TOKEN]}},
        "intake": {"group_wait_seconds": 0},
        "api": {"users": USERS},
        "approvals": {"approvers": {"checkout": ["alice"], "*": ["root"]}},
        **sections,
    }
    return Settings.model_validate(raw)


def auth(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {USERS[user]}"}


Step = Callable[[httpx.AsyncClient, str], Awaitable[None]]


def page(
    app: Nightowl, during: Step | None = None, payload: dict[str, Any] | None = None
) -> Incident:
    """POST the scenario's alert, run ``during`` while the workflow runs, wait, read it back."""

    async def main() -> Incident:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            body = payload or alertmanager_payload(
                load_scenario(bundled_scenario("checkout-bad-deploy"))
            )
            accepted = await client.post(
                "/api/v1/webhooks/alertmanager",
                json=body,
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert accepted.status_code == 202, accepted.text
            incident_id = accepted.json()["incident_id"]
            if during is not None:
                await during(client, incident_id)
            await engine.wait_for(incident_id, timeout=60)
            shown = await client.get(f"/api/v1/incidents/{incident_id}", headers=auth("alice"))
            return Incident.model_validate(shown.json())

    return asyncio.run(main())


async def pending_request(
    client: httpx.AsyncClient, incident_id: str, timeout: float = 30
) -> dict[str, Any]:
    """The incident's pending approval request, once the workflow has opened it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        got = await client.get(
            "/api/v1/approvals",
            params={"incident_id": incident_id, "status": "pending"},
            headers=auth("alice"),
        )
        assert got.status_code == 200, got.text
        if got.json():
            request: dict[str, Any] = got.json()[0]
            return request
        await asyncio.sleep(0.05)
    raise AssertionError("no approval request was opened")
