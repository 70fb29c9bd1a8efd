"""``nightowl bench ingest``: nightowl's intake over real HTTP, beside a real Alertmanager.

Starts ``nightowl serve`` on loopback — one process on SQLite under a temporary data dir, or N
replicas on one PostgreSQL database (``ingest_cluster.py``), the load spread over them — drives it
with Alertmanager webhooks (single alerts, and notifications of 50 alerts: by default each of one
group, as Alertmanager sends them, or with ``shape="mixed"`` of ~50 groups each, the bench's first
shape; duplicates and resolves among them, ``ingest_load.py``),
then reads the store back to count what was lost. With several replica counts (``1,2,4``) each
runs on a fresh database: the scaling curve. A real Alertmanager, started in the same run, is fed
the same alerts through ``/api/v2/alerts`` for comparison.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, select

from nightowl.domain.base import Model
from nightowl.store.intake_tables import AlertStateRow
from nightowl_lab.eval.http_load import post_all
from nightowl_lab.eval.ingest_cluster import TOKEN, Store, serving
from nightowl_lab.eval.ingest_load import Shape, Workload, build
from nightowl_lab.harness.alertmanager import AlertmanagerMissing, AlertmanagerServer
from nightowl_lab.harness.postgres import PostgresServer

Progress = Callable[[str, int, int], None]


class PhaseResult(Model):
    """One phase of the ingest benchmark (one group size): alerts and requests sent, their rates,
    the median and 99th-percentile latency, and the requests that failed.
    """

    group_size: int
    alerts: int
    requests: int
    seconds: float
    alerts_per_second: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


class ReplicaRun(Model):
    """Both phases through ``replicas`` nightowl processes on one fresh store: rates over both
    phases, alerts lost and duplicates detected (read back from the store)."""

    replicas: int
    alerts_per_second: float
    requests_per_second: float
    lost: int
    duplicates_detected: int
    phases: list[PhaseResult]


class IngestBenchResult(Model):
    """The ingest benchmark: nightowl's rates and latencies over every phase (of the last replica
    count measured), alerts lost and duplicates sent and detected (over every run), each replica
    count's run (the scaling curve), and the same workload through a real Alertmanager when one is
    installed.
    """

    alerts_per_second: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    lost: int
    duplicates_sent: int
    duplicates_detected: int
    alertmanager_alerts_per_second: float | None
    alertmanager_message: str | None = None
    store: Store = Store.SQLITE
    replicas: int = 1
    shape: Shape = Shape.MIXED
    """How the notifications of 50 alerts were cut (single alerts are one group each anyway)."""
    phases: list[PhaseResult]
    alertmanager_phases: list[PhaseResult] = []
    runs: list[ReplicaRun] = []


async def drive(
    url: str | Sequence[str],
    bodies: list[bytes],
    headers: dict[str, str],
    concurrency: int,
    progress: Callable[[int], None],
    depends_on: list[tuple[int, ...]] | None = None,
) -> tuple[list[float], int, float]:
    """POST every body with ``concurrency`` in flight; latencies in ms, error count, wall seconds."""
    return await post_all(
        url,
        bodies,
        headers | {"Content-Type": "application/json"},
        concurrency,
        progress,
        depends_on,
    )


def _phase(workload: Workload, latencies: list[float], errors: int, seconds: float) -> PhaseResult:
    return PhaseResult(
        group_size=workload.group_size,
        alerts=workload.alerts,
        requests=len(workload.am_bodies),
        seconds=round(seconds, 3),
        alerts_per_second=round(workload.alerts / seconds, 1),
        requests_per_second=round(len(workload.am_bodies) / seconds, 1),
        p50_ms=round(float(np.percentile(latencies, 50)), 2),
        p99_ms=round(float(np.percentile(latencies, 99)), 2),
        errors=errors,
    )


def _lost(store_url: str, workloads: list[Workload]) -> tuple[int, int]:
    """(alerts lost, duplicates detected), read back from the store."""
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            rows = {
                fp: (status, dups)
                for fp, status, dups in conn.execute(
                    select(
                        AlertStateRow.fingerprint, AlertStateRow.status, AlertStateRow.duplicates
                    )
                )
            }
    finally:
        engine.dispose()
    sent = set().union(*(w.fingerprints for w in workloads))
    resolved = set().union(*(w.resolved for w in workloads))
    missing = len(sent - rows.keys())
    unresolved = sum(1 for fp in resolved if fp in rows and rows[fp][0] != "resolved")
    return missing + unresolved, sum(rows[fp][1] for fp in sent if fp in rows)


async def run(
    alerts_50: int,
    alerts_1: int,
    concurrency: int,
    progress: Progress,
    *,
    store: Store = Store.SQLITE,
    replicas: Sequence[int] = (1,),
    shape: Shape = Shape.GROUPED,
) -> IngestBenchResult:
    """Drive both workloads (groups of 50 alerts, then single alerts) through nightowl — once per
    replica count, each on a fresh store — then through Alertmanager, counting the alerts lost and
    the duplicates detected.
    """
    workloads = [
        build(alerts_50, 50, concurrency=concurrency, shape=shape),
        build(alerts_1, 1, concurrency=concurrency, offset=10**7, seed=8),
    ]
    runs: list[ReplicaRun] = []
    with tempfile.TemporaryDirectory(prefix="nightowl-bench-") as tmp, ExitStack() as stack:
        postgres = stack.enter_context(PostgresServer()) if store is Store.POSTGRES else None
        for number, count in enumerate(replicas):
            directory = Path(tmp) / f"run{number}_r{count}"
            runs.append(
                await _nightowl(directory, count, postgres, workloads, concurrency, progress)
            )
    am_phases, am_rate, am_message = await _alertmanager(workloads, concurrency, progress)
    last = runs[-1]
    return IngestBenchResult(
        alerts_per_second=last.alerts_per_second,
        requests_per_second=last.requests_per_second,
        p50_ms=max(p.p50_ms for p in last.phases),
        p99_ms=max(p.p99_ms for p in last.phases),
        lost=sum(r.lost for r in runs),
        duplicates_sent=sum(w.duplicates for w in workloads) * len(runs),
        duplicates_detected=sum(r.duplicates_detected for r in runs),
        alertmanager_alerts_per_second=am_rate,
        alertmanager_message=am_message,
        store=store,
        replicas=last.replicas,
        shape=shape,
        phases=last.phases,
        alertmanager_phases=am_phases,
        runs=runs,
    )


async def _nightowl(
    directory: Path,
    replicas: int,
    postgres: PostgresServer | None,
    workloads: list[Workload],
    concurrency: int,
    progress: Progress,
) -> ReplicaRun:
    """Both workloads through ``replicas`` servers, the load spread over them; then the store read
    back (after the servers stopped, so that nothing is still in flight)."""
    phases: list[PhaseResult] = []
    with serving(directory, replicas, postgres) as cluster:
        for w in workloads:
            label = f"nightowl ×{replicas}, groups of {w.group_size}"
            tick = _ticker(progress, label, len(w.am_bodies))
            lat, err, secs = await drive(
                [f"{url}/api/v1/webhooks/alertmanager" for url in cluster.urls],
                w.am_bodies,
                {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
                concurrency,
                tick,
                w.depends_on,
            )
            phases.append(_phase(w, lat, err, secs))
    lost, detected = _lost(cluster.store_url, workloads)
    total_seconds = sum(p.seconds for p in phases)
    return ReplicaRun(
        replicas=replicas,
        alerts_per_second=round(sum(p.alerts for p in phases) / total_seconds, 1),
        requests_per_second=round(sum(p.requests for p in phases) / total_seconds, 1),
        lost=lost,
        duplicates_detected=detected,
        phases=phases,
    )


async def _alertmanager(
    workloads: list[Workload], concurrency: int, progress: Progress
) -> tuple[list[PhaseResult], float | None, str | None]:
    try:
        server = AlertmanagerServer().start()
    except AlertmanagerMissing as exc:
        return [], None, str(exc)
    phases = []
    try:
        for w in workloads:
            tick = _ticker(progress, f"Alertmanager, groups of {w.group_size}", len(w.api_bodies))
            lat, err, secs = await drive(
                f"{server.url}/api/v2/alerts",
                w.api_bodies,
                {"Content-Type": "application/json"},
                concurrency,
                tick,
                w.depends_on,
            )
            phases.append(_phase(w, lat, err, secs))
    finally:
        server.stop()
    rate = round(sum(p.alerts for p in phases) / sum(p.seconds for p in phases), 1)
    return phases, rate, None


def _ticker(progress: Progress, label: str, total: int) -> Callable[[int], None]:
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress(label, done, total)

    progress(label, 0, total)
    return tick
