"""Looking again: when no root cause reaches the threshold, the workflow waits (durably), gathers
and diagnoses again — a bounded number of times — before it escalates. The evidence may arrive in
between (here a deploy a CI pipeline records late), and the second look then finds the cause."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import yaml
from nightowl_lab.sim.scenario import bundled_scenario

from nightowl.app import Nightowl
from nightowl.domain import IncidentStatus, StageName
from tests.approvals.flow import TOKEN, auth, page, settings_for


def _without_checkout_deploy(tmp_path: Path) -> Path:
    raw = yaml.safe_load(bundled_scenario("checkout-bad-deploy").read_text())
    raw["deploys"] = [d for d in raw["deploys"] if d["service"] != "checkout"]
    path = tmp_path / "no-deploy.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _attempt(incident: Any, stage: StageName) -> int:
    return int(next(s.attempt for s in incident.stages if s.stage is stage))


def test_no_root_cause_looks_again_a_bounded_number_of_times_then_escalates(
    tmp_path: Path,
) -> None:
    settings = settings_for(
        tmp_path,
        analysis={"min_confidence": 0.999, "look_again": 2, "look_again_seconds": 0.2},
    )
    app = Nightowl(settings)
    app.launch()
    try:
        incident = page(app)
    finally:
        app.shutdown()

    assert incident.status is IncidentStatus.ESCALATED
    assert incident.diagnosis is not None
    assert incident.diagnosis.root_cause is None
    assert _attempt(incident, StageName.GATHER) == 3  # the first look and two more
    assert _attempt(incident, StageName.DIAGNOSE) == 3
    assert not incident.actions


def test_evidence_that_arrives_while_waiting_is_found_by_the_next_look(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path,
        _without_checkout_deploy(tmp_path),
        analysis={"min_confidence": 0.9, "look_again": 3, "look_again_seconds": 0.5},
        webhooks={"tokens": {"alertmanager": [TOKEN], "deploys": [TOKEN]}},
    )

    async def record_the_deploy_late(client: httpx.AsyncClient, incident_id: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while loop.time() < deadline:  # until the first look found nothing
            shown = (
                await client.get(f"/api/v1/incidents/{incident_id}", headers=auth("alice"))
            ).json()
            diagnose = [s for s in shown["stages"] if s["stage"] == "diagnose"]
            if diagnose and "gathering again" in (diagnose[0].get("summary") or ""):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the first look did not ask to look again")
        posted = await client.post(
            "/api/v1/deploys",
            json={
                "service": "checkout",
                "version": "v2.4.1",
                "previous_version": "v2.4.0",
                "at": "2026-11-20T02:51:00Z",
            },
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert posted.status_code == 201, posted.text

    app = Nightowl(settings)
    app.launch()
    try:
        incident = page(app, during=record_the_deploy_late)
    finally:
        app.shutdown()

    assert incident.diagnosis is not None
    assert incident.diagnosis.root_cause is not None
    assert incident.diagnosis.root_cause.kind == "bad_deploy"
    assert incident.diagnosis.root_cause.deploy == "v2.4.1"
    assert _attempt(incident, StageName.GATHER) >= 2
    assert [a.kind for a in incident.actions] == ["rollback"]
    assert incident.status is IncidentStatus.RESOLVED
