"""Run one scenario incident through the real app and workflow, with the LLM agent configured."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import yaml
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import Incident
from nightowl.settings import Settings
from nightowl.store.llm import LlmStore
from nightowl.workflow import engine
from tests.conftest import TOKEN


def scenario_with(
    tmp_path: Path, *, logs: Sequence[str] = (), annotations: dict[str, str] | None = None
) -> Path:
    """checkout-bad-deploy with extra ERROR lines on checkout and extra alert annotations."""
    raw: dict[str, Any] = yaml.safe_load(bundled_scenario("checkout-bad-deploy").read_text())
    raw["logs"] += [
        {"service": "checkout", "level": "ERROR", "message": m, "every_seconds": 60} for m in logs
    ]
    raw["alerts"][0]["annotations"].update(annotations or {})
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def settings(
    data_dir: Path, scenario: Path, base_url: str, *, autonomy: str = "act", **llm: Any
) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(data_dir),
            "connectors": [{"name": "scenario", "kind": "replay", "scenario": str(scenario)}],
            "policy": {"autonomy": autonomy},
            "actions": {"dry_run": False},
            "webhooks": {"tokens": {"alertmanager": [TOKEN]}},
            "intake": {"group_wait_seconds": 0},
            "llm": {
                "provider": "openai-compatible",
                "model": "scripted",
                "base_url": base_url,
                "api_key": "sk-test-provider-key-0000000000",
                **llm,
            },
        }
    )


def run(settings: Settings, scenario: Path) -> tuple[Incident, LlmStore]:
    return asyncio.run(_run(settings, scenario))


async def _run(settings: Settings, scenario: Path) -> tuple[Incident, LlmStore]:
    app = Nightowl(settings)
    app.launch()
    try:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            response = await client.post(
                "/api/v1/webhooks/alertmanager",
                json=alertmanager_payload(load_scenario(scenario)),
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            response.raise_for_status()
            incident_id = response.json()["incident_id"]
            await engine.wait_for(incident_id, timeout=120)
            return app.store.get(incident_id), LlmStore(app.store.engine)
    finally:
        app.shutdown()
