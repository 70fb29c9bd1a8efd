"""Canary analysis on the simulator, end to end: checkout v2.4.1 is pushed through the deploys
API at 02:51; the durable analysis measures it every interval, fails it before Alertmanager's
HighLatency fires (03:02), and its page opens an incident that the normal pipeline diagnoses as
the deploy and rolls back through the policy. A harmless deploy passes and opens nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from dbos import DBOS
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.canary.analysis import run_id_of
from nightowl.clock import ScenarioClock
from nightowl.domain import Deploy, Incident, IncidentStatus
from nightowl.domain.canary import CanaryRun, Verdict
from nightowl.workflow import engine
from tests.approvals.flow import TOKEN, auth, settings_for

DEPLOYED = "2026-11-20T02:51:00Z"


def _pushed_not_replayed(tmp_path: Path) -> Path:
    """The scenario without its checkout deploy in the replay: the deploy is pushed instead."""
    raw = yaml.safe_load(bundled_scenario("checkout-bad-deploy").read_text())
    raw["deploys"] = [d for d in raw["deploys"] if d["service"] != "checkout"]
    path = tmp_path / "pushed.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _deploy_and_wait(app: Nightowl, body: dict[str, Any]) -> tuple[CanaryRun, Incident | None]:
    async def main() -> tuple[CanaryRun, Incident | None]:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            posted = await client.post(
                "/api/v1/deploys", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert posted.status_code == 201, posted.text
            run_id = run_id_of(Deploy.model_validate(posted.json()["deploy"]))
            handle = await DBOS.retrieve_workflow_async(run_id)
            # The analysis ends once its incident has: it resolves its page after a recovery.
            await asyncio.wait_for(handle.get_result(), timeout=120)
            run = await asyncio.to_thread(app.canary.analysis.runs.get, run_id)
            if run.incident_id is None:
                return run, None
            await engine.wait_for(run.incident_id, timeout=60)
            shown = await client.get(f"/api/v1/incidents/{run.incident_id}", headers=auth("alice"))
            return run, Incident.model_validate(shown.json())

    return asyncio.run(main())


def _app(tmp_path: Path, **canary: Any) -> Nightowl:
    settings = settings_for(
        tmp_path,
        _pushed_not_replayed(tmp_path),
        webhooks={"tokens": {"alertmanager": [TOKEN], "deploys": [TOKEN]}},
        canary=canary,
    )
    app = Nightowl(settings, clock=ScenarioClock(datetime.fromisoformat(DEPLOYED)))
    app.launch()
    return app


def test_the_bad_deploy_fails_canary_analysis_before_the_alert_and_is_rolled_back(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path)
    try:
        body = {"service": "checkout", "version": "v2.4.1", "previous_version": "v2.4.0"}
        run, incident = _deploy_and_wait(app, {**body, "at": DEPLOYED})
        trail = [r.kind for r in app.audit.records()]
        resolved = [r for r in app.audit.records() if r.kind == "canary.resolved"]
    finally:
        app.shutdown()

    alert_at = load_scenario(bundled_scenario("checkout-bad-deploy")).page_time
    assert run.verdict is Verdict.FAIL
    failed = [m for m in run.measurements if m.verdict is Verdict.FAIL]
    assert failed
    assert failed[0].at < alert_at
    assert all(m.verdict is not Verdict.FAIL for m in run.measurements[:-1])  # failure_limit 0
    assert {r.metric for r in failed[0].metrics if r.verdict is Verdict.FAIL} & {
        "latency",
        "errors",
    }
    assert "canary analysis failed for checkout v2.4.1 (was v2.4.0)" in run.summary
    assert incident is not None
    assert incident.alerts[0].name == "CanaryAnalysisFailed"
    assert incident.diagnosis is not None
    assert incident.diagnosis.root_cause is not None
    assert incident.diagnosis.root_cause.kind == "bad_deploy"
    assert incident.diagnosis.root_cause.deploy == "v2.4.1"
    assert [a.kind for a in incident.actions] == ["rollback"]  # planned, gated, applied
    assert incident.status is IncidentStatus.RESOLVED
    for kind in ("canary.started", "canary.measured", "canary.concluded", "canary.paged"):
        assert kind in trail
    # Rolled back and verified: the analysis resolved its page, which intake recorded on the
    # incident's alert.
    (record,) = resolved
    assert record.data["recorded_on"] == incident.id


def test_a_harmless_deploy_passes_after_count_intervals_and_opens_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path, count=4, interval_seconds=60)
    try:
        body = {"service": "payments", "version": "v3.1.3", "previous_version": "v3.1.2"}
        run, incident = _deploy_and_wait(app, {**body, "at": DEPLOYED})
        incidents = app.store.list()
    finally:
        app.shutdown()

    assert run.verdict is Verdict.PASS, run.summary
    assert [m.index for m in run.measurements] == [0, 1, 2, 3]
    assert incident is None
    assert not incidents


def test_a_deploy_a_source_discovers_gets_its_canary_once_and_an_old_one_none(
    tmp_path: Path,
) -> None:
    """Nobody pushes checkout v2.4.1: the replay's deploy source reports it (as Argo CD or a
    rollout would), the graph refresh records it and starts its analysis, which fails it like a
    pushed one. inventory v1.9.0 (69 minutes before) is older than one analysis span: no canary.
    A second refresh starts nothing new."""
    settings = settings_for(tmp_path, bundled_scenario("checkout-bad-deploy"))
    app = Nightowl(settings, clock=ScenarioClock(datetime.fromisoformat("2026-11-20T02:52:00Z")))
    app.launch()

    async def main() -> CanaryRun:
        await app.refresh_graph()
        await app.refresh_graph()
        (run,) = await asyncio.to_thread(app.records.canaries)
        handle = await DBOS.retrieve_workflow_async(run_id_of(run.deploy))
        await asyncio.wait_for(handle.get_result(), timeout=120)
        return await asyncio.to_thread(app.canary.analysis.runs.get, run_id_of(run.deploy))

    try:
        run = asyncio.run(main())
        runs = app.records.canaries()
        discovered = [r for r in app.audit.records() if r.kind == "canary.started"]
    finally:
        app.shutdown()

    assert (run.deploy.service, run.deploy.version) == ("checkout", "v2.4.1")
    assert run.verdict is Verdict.FAIL
    assert len(runs) == 1
    assert len(discovered) == 1
