"""Crash safety: SIGKILL the server in the middle of an incident, start it again, and the incident
completes with no stage executed twice — on SQLite and on PostgreSQL.

The first server is configured to hold the workflow after the diagnose stage
(the lab's chaos harness, ``nightowl_lab.harness.chaos``), so the kill lands deterministically between two durable steps.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.workflow.pipeline import PIPELINE
from tests.conftest import READ, READER, READER_TOKEN

SCENARIO = "checkout-bad-deploy"
TOKEN = "crash-test-token"


def write_config(path: Path, data_dir: Path, store_url: str | None) -> Path:
    config: dict[str, Any] = {
        "data_dir": str(data_dir),
        "store": {"url": store_url},
        "connectors": [
            {"name": "scenario", "kind": "replay", "scenario": str(bundled_scenario(SCENARIO))}
        ],
        "policy": {"autonomy": "act"},
        "actions": {"dry_run": False},
        "webhooks": {"tokens": {"*": [TOKEN]}},
        "intake": {"group_wait_seconds": 0},
        "api": {"users": {READER: READER_TOKEN}},
    }
    path.write_text(yaml.safe_dump(config))
    return path


def poll(url: str, until: Any, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, headers=READ, timeout=30.0)
        except httpx.TimeoutException:  # a loaded machine: a stage's analysis holds the CPU
            continue
        assert response.status_code in (200, 404), response.text  # 404: not yet stored
        if response.status_code == 200:
            last = response.json()
            if until(last):
                return last
        time.sleep(0.1)
    raise AssertionError(
        f"condition not reached within {timeout}s; last state: {json.dumps(last)[:2000]}"
    )


def stage_status(incident: dict[str, Any], stage: str) -> str | None:
    return next((s["status"] for s in incident["stages"] if s["stage"] == stage), None)


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_sigkill_mid_incident_resumes_without_repeating_a_stage(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    store_url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    data_dir = tmp_path / "data"
    first = ServerProcess(
        write_config(tmp_path / "paused.yaml", data_dir, store_url), pause_after="diagnose"
    ).start()
    try:
        payload = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
        answer = httpx.post(
            f"{first.url}/api/v1/webhooks/alertmanager",
            json=payload,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10.0,
        )
        assert answer.status_code == 202, answer.text
        incident_id = answer.json()["incident_id"]
        url = f"{first.url}/api/v1/incidents/{incident_id}"
        before = poll(url, lambda i: stage_status(i, "diagnose") == "completed")
        # The store says "completed" inside the step, a moment before DBOS checkpoints the step's
        # result; kill only once the workflow is holding between the two stages.
        deadline = time.monotonic() + 30
        while "pausing" not in first.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "pausing" in first.output(), first.output()
    finally:
        first.kill()

    # Killed between diagnose and plan: nothing after diagnose has run.
    assert stage_status(before, "plan") is None
    assert before["actions"] == []

    second = ServerProcess(write_config(tmp_path / "resume.yaml", data_dir, store_url))
    with second:
        after = poll(
            f"{second.url}/api/v1/incidents/{incident_id}",
            lambda i: stage_status(i, "notify") in ("completed", "failed"),
        )
        # The same webhook delivered again after the restart does not start a second run.
        again = httpx.post(
            f"{second.url}/api/v1/webhooks/alertmanager",
            json=payload,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10.0,
        )
        assert again.json()["incident_id"] == incident_id

    assert after["status"] == "resolved", second.output()
    stages = {s["stage"]: s for s in after["stages"]}
    assert list(stages) == [stage.value for stage in PIPELINE]
    for name, record in stages.items():
        assert record["status"] == "completed", (name, record)
        assert record["attempt"] == 1, f"stage {name} executed {record['attempt']} times"
    # Stages completed before the crash kept their original record (not re-run after the restart).
    for name in ("triage", "gather", "analyze", "diagnose"):
        original = next(s for s in before["stages"] if s["stage"] == name)
        assert stages[name]["finished_at"] == original["finished_at"]
    assert [(a["kind"], a["status"]) for a in after["actions"]] == [("rollback", "succeeded")]
    cluster = json.loads((data_dir / "sim" / f"{SCENARIO}.cluster.json").read_text())
    assert [e["kind"] for e in cluster["events"]] == ["rollback"]
    assert after["verification"]["recovered"] is True
    assert Path(after["report_path"]).exists()
