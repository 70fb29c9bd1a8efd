"""Recovery across workers: SIGKILL a worker in the middle of an incident; a live worker notices
its heartbeat stopped, recovers its workflow through DBOS, and the incident completes with no stage
run twice and no action done twice. Real ``nightowl serve --role worker`` processes on a real
PostgreSQL; the first worker holds the workflow after diagnose (the lab's chaos harness) so the
kill lands between two durable steps."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
import yaml
from dbos import DBOSClient
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario
from sqlalchemy import text

from nightowl.store.database import create_engine_for
from nightowl.workflow.pipeline import PIPELINE
from tests.workflow.test_crash import SCENARIO, TOKEN, poll, stage_status
from tests.workflow.test_queues import cluster_config

STARTUP = 240.0
"""Seconds a server may take to answer (imports and migrations on a loaded CI machine)."""


def fast_heartbeat(path: Path) -> Path:
    config = yaml.safe_load(path.read_text())
    config["cluster"] = {"heartbeat_seconds": 0.5, "dead_after_seconds": 3}
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
@pytest.mark.postgres
def test_a_killed_workers_incident_is_recovered_by_another_without_repeating_anything(
    tmp_path: Path, postgres_url: str
) -> None:
    data_dir = tmp_path / "data"  # the simulated world both workers act on
    config = fast_heartbeat(cluster_config(tmp_path / "worker.yaml", data_dir, postgres_url))
    first = ServerProcess(config, pause_after="diagnose", role="worker").start(STARTUP)
    second = ServerProcess(config, role="worker")
    try:
        payload = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
        answer = httpx.post(
            f"{first.url}/api/v1/webhooks/alertmanager",
            json=payload,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30.0,
        )
        assert answer.status_code == 202, answer.text
        incident_id = answer.json()["incident_id"]
        before = poll(
            f"{first.url}/api/v1/incidents/{incident_id}",
            lambda i: stage_status(i, "diagnose") == "completed",
            timeout=120,
        )
        deadline = time.monotonic() + 60
        while "pausing" not in first.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "pausing" in first.output(), first.output()
        second.start(STARTUP)  # only now: the incident is the first worker's, held after diagnose
        first.kill()
        after = poll(
            f"{second.url}/api/v1/incidents/{incident_id}",
            lambda i: stage_status(i, "notify") in ("completed", "failed"),
            timeout=240,
        )
    finally:
        first.kill()
        second.stop()

    assert stage_status(before, "plan") is None
    assert after["status"] == "resolved", second.output()
    stages = {s["stage"]: s for s in after["stages"]}
    assert list(stages) == [stage.value for stage in PIPELINE]
    for name, record in stages.items():
        assert record["attempt"] == 1, f"stage {name} executed {record['attempt']} times"
    for name in ("triage", "gather", "analyze", "diagnose"):
        original = next(s for s in before["stages"] if s["stage"] == name)
        assert stages[name]["finished_at"] == original["finished_at"]
    assert [(a["kind"], a["status"]) for a in after["actions"]] == [("rollback", "succeeded")]
    world = json.loads((data_dir / "sim" / f"{SCENARIO}.cluster.json").read_text())
    assert [e["kind"] for e in world["events"]] == ["rollback"]
    client = DBOSClient(system_database_url=postgres_url)
    try:
        finished_by = client.retrieve_workflow(incident_id).get_status().executor_id
    finally:
        client.destroy()
    engine = create_engine_for(postgres_url)
    with engine.connect() as conn:
        recoveries = [
            body["data"]
            for (body,) in conn.execute(
                text("SELECT body FROM audit_records WHERE kind = 'cluster.recovered'")
            )
        ]
    engine.dispose()
    assert len(recoveries) == 1, recoveries
    assert incident_id in recoveries[0]["workflows"]
    assert recoveries[0]["by"] == finished_by != recoveries[0]["executor_id"]
