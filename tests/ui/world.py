"""A running nightowl (API + UI over real HTTP on loopback) whose incident waits for approval."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from nightowl_lab.harness.live import LiveServer
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.settings import Settings
from nightowl.ui import install
from nightowl.ui.passwords import pbkdf2_hash

TOKEN = "ui-test-webhook-token"
PASSWORDS = {"alice": "alice-approves", "bob": "bob-responds", "victor": "victor-views"}
API_TOKENS = {"alice": "alice-api-token", "bob": "bob-api-token", "victor": "victor-api-token"}
ROLES = {"alice": "approver", "bob": "responder", "victor": "viewer"}


def ui_settings(data_dir: Path, **sections: Any) -> Settings:
    raw: dict[str, Any] = {
        "data_dir": str(data_dir),
        "connectors": [
            {
                "name": "scenario",
                "kind": "replay",
                "scenario": str(bundled_scenario("checkout-bad-deploy")),
            }
        ],
        "policy": {"autonomy": "suggest"},
        "actions": {"dry_run": False},
        # The per-IP login rate limit is tested on its own (tests/api/test_ratelimit.py); here
        # every test logs in from one address, and the lockout per name is what is tested.
        "webhooks": {"tokens": {"alertmanager": [TOKEN]}, "rate_limits": {"login": ""}},
        "intake": {"group_wait_seconds": 0},
        "approvals": {"approvers": {"*": ["alice"]}},
        "graph": {"owners": {"checkout": ["team:checkout-team"]}, "on_call": {"checkout": ["bob"]}},
        "api": {"users": API_TOKENS},
        "ui": {
            "users": {
                name: {"password_hash": pbkdf2_hash(PASSWORDS[name], 1000), "role": role}
                for name, role in ROLES.items()
            },
            "session_secret": "ui-test-session-secret",
        },
        **sections,
    }
    return Settings.model_validate(raw)


def alert_body(summary: str | None = None) -> bytes:
    body = alertmanager_payload(load_scenario(bundled_scenario("checkout-bad-deploy")))
    if summary is not None:
        for alert in body["alerts"]:
            alert["annotations"]["summary"] = summary
    return json.dumps(body).encode()


@dataclass
class World:
    app: Nightowl
    api: FastAPI
    url: str
    incident_id: str
    request_id: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """``nightowl serve`` in-process (API + UI, real HTTP on loopback) whose incident waits for
    alice's approval. The server's event loop keeps the waiting workflow alive between tests."""
    app = Nightowl(ui_settings(tmp_path_factory.mktemp("ui")))
    api = create_api(app, manage_lifecycle=True)
    install(api, app)
    with LiveServer(api) as server:
        evil = "checkout p99 above 1s <script>alert('x')</script>"
        answer = httpx.post(
            f"{server.url}/api/v1/webhooks/alertmanager",
            content=alert_body(evil),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        assert answer.status_code == 202, answer.text
        incident_id = answer.json()["incident_id"]
        deadline = time.monotonic() + 30
        while not (pending := app.approvals.list(incident_id=incident_id)):
            assert time.monotonic() < deadline, "no approval request was opened"
            time.sleep(0.05)
        yield World(app, api, server.url, incident_id, pending[0].id)
