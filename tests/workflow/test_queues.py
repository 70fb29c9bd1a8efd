"""Roles and queues: an ``api`` replica only enqueues an incident's workflow, a ``worker`` runs it
(real ``nightowl serve`` processes on a real PostgreSQL; the workflow's DBOS executor says who
ran it). And which stages leave the incident's workflow for a queue of their own."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from dbos import DBOSClient
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.domain import StageName
from nightowl.workflow.queues import INCIDENTS, LLM, REMEDIATION, Lane, lanes
from tests.workflow.test_crash import SCENARIO, TOKEN, poll, stage_status, write_config


def test_remediation_is_partitioned_and_the_llm_lane_exists_only_with_an_llm() -> None:
    assert lanes(llm=False) == {StageName.ACT: Lane(REMEDIATION, partitioned=True)}
    assert lanes(llm=True) == {
        StageName.ACT: Lane(REMEDIATION, partitioned=True),
        StageName.DIAGNOSE: Lane(LLM),
        StageName.REPORT: Lane(LLM),
    }


AUDIT_KEY = "cluster-test-audit-key-0123456789abcdef"


def cluster_config(path: Path, data_dir: Path, store_url: str) -> Path:
    """The crash tests' configuration for one process of a cluster: its own data directory, the
    shared database and the audit key every replica signs with."""
    write_config(path, data_dir, store_url)
    config = yaml.safe_load(path.read_text())
    config["audit"] = {"key": AUDIT_KEY}
    path.write_text(yaml.safe_dump(config))
    return path


def _status(client: DBOSClient, workflow_id: str) -> tuple[str, str | None, str | None]:
    status = client.retrieve_workflow(workflow_id).get_status()
    return status.status, status.executor_id, status.queue_name


@pytest.mark.slow
@pytest.mark.postgres
def test_an_api_replica_enqueues_and_a_worker_runs_the_incident(
    tmp_path: Path, postgres_url: str
) -> None:
    api = ServerProcess(
        cluster_config(tmp_path / "api.yaml", tmp_path / "api", postgres_url), role="api"
    )
    worker = ServerProcess(
        cluster_config(tmp_path / "worker.yaml", tmp_path / "worker", postgres_url),
        role="worker",
    )
    client = DBOSClient(system_database_url=postgres_url)
    try:
        with api.start(240.0):
            payload = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
            answer = httpx.post(
                f"{api.url}/api/v1/webhooks/alertmanager",
                json=payload,
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=30.0,
            )
            assert answer.status_code == 202, answer.text
            incident_id = answer.json()["incident_id"]
            # The api replica listens to no queue: the workflow waits there for a worker.
            enqueued = _status(client, incident_id)
            assert (enqueued[0], enqueued[2]) == ("ENQUEUED", INCIDENTS), enqueued
            with worker.start(240.0):
                done = poll(
                    f"{api.url}/api/v1/incidents/{incident_id}",
                    lambda i: stage_status(i, "notify") in ("completed", "failed"),
                    timeout=240,
                )
        status, executor, queue = _status(client, incident_id)
        assert status == "SUCCESS"
        assert (executor or "").startswith("worker-"), executor
        assert queue == INCIDENTS
        assert done["status"] == "resolved", worker.output()
        assert "role: api" in api.output()
        assert "role: worker" in worker.output()
    finally:
        client.destroy()
