"""The sandbox's supervisor restarts a crashing process with back-off, and the ``sandbox``
ClusterSource reports it as a Kubernetes cluster would: a pod in CrashLoopBackOff, BackOff events."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nightowl_lab.sandbox import configs, procs
from nightowl_lab.sandbox.cluster import SandboxCluster, SandboxClusterConfig

from nightowl.connectors.protocols import ClusterSource
from nightowl.registry import CONNECTORS
from nightowl.settings import load_settings


def _shop(tmp_path: Path, version: str = "v3") -> None:
    replica = {"pid": 1, "port": 4242, "version": version}
    checkout: dict[str, object] = {"name": "checkout", "port": 1, "version": version}
    checkout |= {"previous": "v1", "replicas": [replica]}
    shop = {"checkout": checkout}
    (tmp_path / "shop.json").write_text(json.dumps(shop))
    (tmp_path / "pods").mkdir(exist_ok=True)


def test_supervisor_restarts_a_crashing_process_with_backoff(tmp_path: Path) -> None:
    status = tmp_path / "status.json"
    argv = procs.python_module(
        "nightowl_lab.sandbox.services.supervisor",
        f"--status={status}",
        "--",
        sys.executable,
        "-c",
        "raise SystemExit(3)",
    )
    pid = procs.spawn(argv, tmp_path / "out")
    try:
        deadline = time.monotonic() + 15
        data: dict[str, object] = {}
        while time.monotonic() < deadline:
            if status.exists():
                data = json.loads(status.read_text())
                if int(str(data["restarts"])) >= 2 and data["state"] == "waiting":
                    break
            time.sleep(0.1)
        assert data["reason"] == "CrashLoopBackOff"
        assert data["last_exit_code"] == 3
        assert [e["reason"] for e in data["events"]][:2] == ["BackOff", "BackOff"]  # type: ignore[attr-defined]
    finally:
        procs.stop(pid)
    assert not procs.alive(pid)
    assert json.loads(status.read_text())["state"] == "terminated"


def test_cluster_reports_a_crash_looping_pod_and_backoff_events(tmp_path: Path) -> None:
    _shop(tmp_path)
    now = datetime.now(UTC)
    (tmp_path / "pods" / "checkout-4242.json").write_text(
        json.dumps(
            {
                "restarts": 4,
                "state": "waiting",
                "reason": "CrashLoopBackOff",
                "started_at": now.isoformat(),
                "last_exit_code": 1,
                "last_terminated_at": now.isoformat(),
                "events": [
                    {"at": (now - timedelta(hours=1)).isoformat(), "reason": "BackOff"},
                    {"at": now.isoformat(), "reason": "BackOff", "message": "Back-off 2s"},
                ],
            }
        )
    )
    cluster = SandboxCluster("c", SandboxClusterConfig(directory=tmp_path))
    assert isinstance(cluster, ClusterSource)
    start, end = now - timedelta(minutes=1), now + timedelta(seconds=1)
    (pod,) = asyncio.run(cluster.pods("checkout", start, end))
    assert pod.name == "checkout-v3-4242"
    assert pod.version == "v3"
    assert pod.restarts == 4
    assert pod.containers[0].reason == "CrashLoopBackOff"
    assert not pod.ready
    (event,) = asyncio.run(cluster.events(None, start, end))
    assert (event.reason, event.type, event.object) == (
        "BackOff",
        "Warning",
        "Pod/checkout-v3-4242",
    )
    rollouts = asyncio.run(cluster.rollouts("checkout"))
    assert [r.version for r in rollouts] == ["v3", "v1"]
    assert asyncio.run(cluster.pods("payments", start, end)) == []


def test_a_pod_without_status_is_unknown(tmp_path: Path) -> None:
    _shop(tmp_path, "v1")
    cluster = SandboxCluster("c", SandboxClusterConfig(directory=tmp_path))
    now = datetime.now(UTC)
    (pod,) = asyncio.run(cluster.pods(None, now - timedelta(minutes=1), now))
    assert pod.containers[0].state == "unknown"
    assert pod.restarts == 0


def test_the_sandbox_config_reads_the_cluster(tmp_path: Path) -> None:
    assert CONNECTORS["sandbox"] == "nightowl_lab.sandbox.cluster:SandboxCluster"
    from nightowl_lab.sandbox.shop import SHOP

    ports = {"prometheus": 1, "alertmanager": 2, "nightowl": 3, "router": 4}
    ports |= {name: 10 + i for i, name in enumerate(SHOP)}
    configs.write_all(tmp_path, ports, "t", "r")
    settings = load_settings(config=tmp_path / "nightowl.yaml", data_dir=None)
    kinds = {c.kind for c in settings.connectors}
    assert {"prometheus", "files", "static", "sandbox"} <= kinds
    assert "job_name: router" in (tmp_path / "prometheus.yml").read_text()
    assert "crash_loop" in (tmp_path / "runbooks" / "crash-loop.yaml").read_text()
