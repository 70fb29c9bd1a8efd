"""Roles and queues: an ``api`` replica only enqueues an incident's workflow, a ``worker`` runs it
(real ``nightowl serve`` processes on a real PostgreSQL; the workflow's DBOS executor says who
ran it). And which stages leave the incident's workflow for a queue of their own."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import httpx
import pytest
import yaml
from dbos import DBOS, DBOSClient, DBOSConfig, SetEnqueueOptions
from dbos._error import DBOSNonExistentWorkflowError
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.domain import StageName
from nightowl.settings import ClusterSettings
from nightowl.workflow import queues
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


def _wait_status(
    client: DBOSClient, workflow_id: str, timeout: float
) -> tuple[str, str | None, str | None]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _status(client, workflow_id)
        except DBOSNonExistentWorkflowError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


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
            # The api replica listens to no queue: the workflow waits there for a worker (once
            # the dispatcher has flushed the group: not at once on a loaded machine).
            enqueued = _wait_status(client, incident_id, timeout=120.0)
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


RUNS: list[tuple[str, float, float]] = []  # (partition, started, ended) of each remediation


@DBOS.workflow(name="tests.remediation")
async def _remediate(partition: str) -> None:
    started = time.monotonic()
    await asyncio.sleep(0.5)  # an action that takes a while
    RUNS.append((partition, started, time.monotonic()))


def test_the_remediation_queue_runs_one_act_per_service_at_a_time(tmp_path: Path) -> None:
    """Three remediations of checkout and one of payments enqueued at once on the queues as
    nightowl registers them: checkout's never overlap (one per partition, cluster-wide, in the
    system database), while payments' runs beside them (the queue is not simply serial)."""
    RUNS.clear()
    config: DBOSConfig = {
        "name": "nightowl-queue-test",
        "system_database_url": f"sqlite:///{tmp_path / 'dbos.sqlite'}",
        "log_level": "WARNING",
    }
    DBOS(config=config)
    DBOS.launch()
    try:
        queues.register(ClusterSettings(queue_poll_seconds=0.05))

        async def main() -> None:
            handles = []
            for partition in ("checkout", "checkout", "payments", "checkout"):
                with SetEnqueueOptions(queue_partition_key=partition):
                    handles.append(
                        await DBOS.enqueue_workflow_async(REMEDIATION, _remediate, partition)
                    )
            await asyncio.wait_for(asyncio.gather(*(h.get_result() for h in handles)), 120)

        asyncio.run(main())
    finally:
        DBOS.destroy(destroy_registry=False)

    checkout = sorted((s, e) for p, s, e in RUNS if p == "checkout")
    assert len(checkout) == 3
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(checkout))
    ((_, p_start, p_end),) = [r for r in RUNS if r[0] == "payments"]
    assert any(s < p_end and p_start < e for s, e in checkout)  # ran beside one of checkout's
