"""``nightowl bench ha``: a cluster of real ``nightowl serve`` processes on a real PostgreSQL,
driven with Alertmanager HA duplicates while one API replica and one worker are SIGKILLed.

Two ``--role api`` replicas and two ``--role worker`` processes share one PostgreSQL (the
harness's throwaway server) and one data directory (the simulated world the workers act on). Every
alert is delivered to both API replicas, as an Alertmanager HA pair does. Alerts come in waves, one
incident each (the replayed bad deploy of ``checkout-bad-deploy``, so every incident acts: a
rollback); halfway through, one API replica and one worker are killed, and restarted a few seconds
later. Then the store and the audit trail are read back: alerts acknowledged but not stored
(``lost``), actions performed twice under one key (``duplicate_actions``), incidents that reached
their last stage, and the workflows a live worker recovered from the dead one.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import create_engine, func, select

from nightowl.domain.base import Model
from nightowl.store.audit_chain import AuditRow
from nightowl.store.intake_tables import AlertStateRow
from nightowl.store.tables import IncidentRow, StageRunRow
from nightowl_lab.harness.postgres import PostgresServer
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

SCENARIO = "checkout-bad-deploy"
TOKEN = "bench-ha-token"
READER_TOKEN = "bench-ha-reader-token"
AUDIT_KEY = "bench-ha-audit-key-0123456789abcdef0123"
Progress = Callable[[str, int, int], None]
STARTUP = 300.0
"""Seconds a process may take to answer: imports and migrations on a loaded machine."""


class HaBenchResult(Model):
    """What the cluster did with the load: deliveries sent and acknowledged, distinct alerts
    stored and lost, actions done twice, incidents opened and completed, workflows recovered."""

    sent: int
    acknowledged: int
    alerts: int
    stored: int
    lost: int
    duplicate_actions: int
    incidents: int
    incidents_completed: int
    recovered_workflows: int
    seconds: float


def _config(path: Path, data_dir: Path, url: str) -> Path:
    config: dict[str, Any] = {
        "data_dir": str(data_dir),
        "store": {"url": url},
        "connectors": [
            {"name": "scenario", "kind": "replay", "scenario": str(bundled_scenario(SCENARIO))}
        ],
        "policy": {"autonomy": "act"},
        "actions": {"dry_run": False},
        "webhooks": {"tokens": {"*": [TOKEN]}},
        "api": {"users": {"bench": READER_TOKEN}},
        "audit": {"key": AUDIT_KEY},
        # A wave is its own group (and, a few seconds after the last, its own incident).
        "intake": {
            "group_wait_seconds": 1,
            "group_by": ["alertname", "service", "wave"],
            "correlation_window_minutes": 0.001,
        },
        "cluster": {"heartbeat_seconds": 1, "dead_after_seconds": 10},
    }
    path.write_text(yaml.safe_dump(config))
    return path


def _waves(waves: int, per_wave: int) -> list[list[dict[str, Any]]]:
    """``waves`` bodies of ``per_wave`` alerts each (one request per alert)."""
    template = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
    out = []
    for wave in range(waves):
        bodies = []
        for n in range(per_wave):
            body = copy.deepcopy(template)
            [alert] = body["alerts"]
            alert.pop("fingerprint", None)
            alert["labels"] |= {"wave": str(wave), "instance": f"pod-{wave}-{n}"}
            body["groupKey"] = f"{{}}:{{wave={wave}}}"
            bodies.append(body)
        out.append(bodies)
    return out


async def _deliver(
    client: httpx.AsyncClient, replicas: list[ServerProcess], body: dict[str, Any]
) -> int:
    """Send one body to every replica (Alertmanager HA); how many acknowledged it."""

    async def one(replica: ServerProcess) -> bool:
        try:
            answer = await client.post(
                f"{replica.url}/api/v1/webhooks/alertmanager",
                json=body,
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        except httpx.HTTPError:
            return False  # a killed replica: not acknowledged, Alertmanager would retry
        return answer.status_code == 202

    return sum(await asyncio.gather(*(one(r) for r in replicas)))


class _Cluster:
    """Two API replicas and two workers on one database and data directory."""

    def __init__(self, base: Path, url: str) -> None:
        data = base / "data"
        self.config = _config(base / "nightowl.yaml", data, url)
        self.apis = [self._process(base, "api", n) for n in range(2)]
        self.workers = [self._process(base, "worker", n) for n in range(2)]

    def _process(self, base: Path, role: str, n: int) -> ServerProcess:
        return ServerProcess(self.config, role=role, log=base / f"{role}-{n}.log")

    def start(self) -> None:
        """The first replica alone (it migrates the empty database), then the others at once."""
        first, *others = [*self.apis, *self.workers]
        first.start(timeout=STARTUP)
        with ThreadPoolExecutor(max_workers=len(others)) as pool:
            for started in [pool.submit(p.start, STARTUP) for p in others]:
                started.result()

    def stop(self) -> None:
        for process in [*self.apis, *self.workers]:
            process.stop()


async def _drive(
    cluster: _Cluster, waves: list[list[dict[str, Any]]], progress: Progress
) -> tuple[int, set[str]]:
    """Send every wave to both API replicas, killing one replica and one worker halfway and
    restarting them; (deliveries acknowledged, instances acknowledged by at least one)."""
    acked, seen = 0, set()
    restarting: asyncio.Future[tuple[ServerProcess, ServerProcess]] | None = None
    total = sum(len(w) for w in waves)
    done = 0
    async with httpx.AsyncClient(timeout=30.0) as client:
        for index, wave in enumerate(waves):
            if index == len(waves) // 2:
                cluster.apis[0].kill()
                cluster.workers[0].kill()
            if index == len(waves) // 2 + 1:  # restarted while the load goes on
                restarting = asyncio.gather(
                    asyncio.to_thread(cluster.apis[0].start, STARTUP),
                    asyncio.to_thread(cluster.workers[0].start, STARTUP),
                )
            for body in wave:
                count = await _deliver(client, cluster.apis, body)
                acked += count
                if count:
                    seen.add(body["alerts"][0]["labels"]["instance"])
                done += 1
                progress("alerts (each to both API replicas)", done, total)
            await asyncio.sleep(1.5)  # past group_wait: the next wave is a new incident
        if restarting is not None:
            await restarting
    return acked, seen


def _completed(url: str) -> tuple[int, int]:
    """(incidents, incidents whose notify stage has finished)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            incidents = conn.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
            finished = conn.execute(
                select(func.count(func.distinct(StageRunRow.incident_id)))
                .where(StageRunRow.stage == "notify")
                .where(StageRunRow.status.in_(("completed", "failed")))
            ).scalar_one()
        return int(incidents), int(finished)
    finally:
        engine.dispose()


def _read_back(url: str, acked: set[str]) -> tuple[int, int, int, int]:
    """(alerts stored, acknowledged but not stored, duplicate actions, workflows recovered)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            labels = [row for (row,) in conn.execute(select(AlertStateRow.labels))]
            kinds = ("action", "cluster.recovered")
            bodies = list(conn.scalars(select(AuditRow.body).where(AuditRow.kind.in_(kinds))))
    finally:
        engine.dispose()
    stored = {dict(item).get("instance") for item in labels}
    keys = [b["data"]["result"]["idempotency_key"] for b in bodies if b["kind"] == "action"]
    recovered = sum(len(b["data"]["workflows"]) for b in bodies if b["kind"] != "action")
    return len(stored), len(acked - stored), len(keys) - len(set(keys)), recovered


async def _wait_completed(url: str, deadline: float, progress: Progress) -> tuple[int, int]:
    while True:
        incidents, finished = await asyncio.to_thread(_completed, url)
        progress("incidents completed", finished, max(incidents, 1))
        if (incidents and finished >= incidents) or time.monotonic() > deadline:
            return incidents, finished
        await asyncio.sleep(1.0)


def run(base: Path, waves: int, per_wave: int, progress: Progress) -> HaBenchResult:
    """Run the whole benchmark under ``base`` (a fresh directory)."""
    bodies = _waves(waves, per_wave)
    with PostgresServer() as server:
        url = server.create_database("nightowl_ha")
        cluster = _Cluster(base, url)
        started = time.monotonic()
        try:
            cluster.start()
            acked, seen = asyncio.run(_drive(cluster, bodies, progress))
            incidents, finished = asyncio.run(
                _wait_completed(url, time.monotonic() + 900, progress)
            )
        finally:
            cluster.stop()
        seconds = time.monotonic() - started
        stored, lost, duplicates, recovered = _read_back(url, seen)
    return HaBenchResult(
        sent=2 * waves * per_wave,
        acknowledged=acked,
        alerts=waves * per_wave,
        stored=stored,
        lost=lost,
        duplicate_actions=duplicates,
        incidents=incidents,
        incidents_completed=finished,
        recovered_workflows=recovered,
        seconds=round(seconds, 1),
    )
