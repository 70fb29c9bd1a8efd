"""``kind: sandbox`` — the sandbox's cluster state, read as a Kubernetes cluster would report it.

Each replica of the shop is a Pod (``<service>-<version>-<port>``) with one container whose state
comes from its supervisor's status file: restart count, ``running`` or ``waiting`` with reason
``CrashLoopBackOff`` while it crashes and backs off, last exit code and time. The supervisor's
back-offs are ``BackOff`` Warning events about the pod. The shop keeps no rollout history beyond
the previous version, so ``rollouts`` lists the current revision and the one before it.

::

    connectors:
      - {name: shop-cluster, kind: sandbox, directory: /tmp/nightowl-sandbox-xyz}

Reads local files only; a status file that is missing or half-written counts as ``unknown``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nightowl.connectors.base import ConnectorConfig, parse_options
from nightowl.domain import ClusterEvent, Pod, Rollout
from nightowl.domain.cluster import ContainerStatus
from nightowl.errors import ConnectorError
from nightowl.settings import PluginConfig, Settings
from nightowl_lab.sandbox.shop import Shop


class SandboxClusterConfig(ConnectorConfig):
    """``kind: sandbox``."""

    directory: Path


class SandboxCluster:
    """Pods, events and rollouts of the shop of one sandbox directory."""

    def __init__(self, name: str, config: SandboxClusterConfig) -> None:
        self.name = name
        self.shop = Shop(config.directory)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> SandboxCluster:
        """The connector of one ``connectors`` entry (its options validated as
        SandboxClusterConfig).
        """
        return cls(plugin.name, parse_options(SandboxClusterConfig, plugin))

    async def check(self) -> None:
        """ConnectorError when the sandbox is not up (no shop file in its directory)."""
        if not self.shop.file.exists():
            raise ConnectorError(
                f"no shop in {self.shop.directory} (is the sandbox up?)",
                connector=self.name,
            )

    async def pods(self, service: str | None, start: datetime, end: datetime) -> list[Pod]:
        """Each replica of each service as a pod, its state and restarts read from the replica
        itself.
        """
        out = []
        for name, svc in sorted(self.shop.services().items()):
            if service is not None and name != service:
                continue
            for replica in svc.replicas:
                status = self._status(name, replica.port)
                state = str(status.get("state") or "unknown")
                container = ContainerStatus(
                    name=name,
                    image=f"shop/{name}:{replica.version}",
                    ready=state == "running",
                    restart_count=int(status.get("restarts") or 0),
                    state=state,
                    reason=status.get("reason"),
                    last_termination_reason="Error" if status.get("last_exit_code") else None,
                    last_exit_code=status.get("last_exit_code"),
                    last_terminated_at=_time(status.get("last_terminated_at")),
                )
                out.append(
                    Pod(
                        name=f"{name}-{replica.version}-{replica.port}",
                        service=name,
                        phase="Running",
                        node="localhost",
                        version=replica.version,
                        started_at=_time(status.get("started_at")),
                        containers=(container,),
                    )
                )
        return out

    async def events(
        self, service: str | None, start: datetime, end: datetime
    ) -> list[ClusterEvent]:
        """The events the replicas report about themselves in [start, end]."""
        out = []
        for name, svc in self.shop.services().items():
            if service is not None and name != service:
                continue
            for replica in svc.replicas:
                pod = f"{name}-{replica.version}-{replica.port}"
                for event in self._status(name, replica.port).get("events", []):
                    at = _time(event.get("at"))
                    if at is None or not start <= at <= end:
                        continue
                    out.append(
                        ClusterEvent(
                            at=at,
                            type="Warning",
                            reason=str(event.get("reason", "BackOff")),
                            message=str(event.get("message", "")),
                            object=f"Pod/{pod}",
                            service=name,
                        )
                    )
        return sorted(out, key=lambda e: e.at, reverse=True)

    async def rollouts(self, service: str) -> list[Rollout]:
        """The service's current revision (and the previous one after a rollback or deploy)."""
        svc = self.shop.services().get(service)
        if svc is None:
            return []
        at = datetime.fromtimestamp(self.shop.file.stat().st_mtime, UTC)
        ready = sum(
            1 for r in svc.replicas if self._status(service, r.port).get("state") == "running"
        )
        out = [
            Rollout(
                workload=service,
                service=service,
                revision=2 if svc.previous else 1,
                version=svc.version,
                images=(f"shop/{service}:{svc.version}",),
                at=at,
                replicas=len(svc.replicas),
                ready_replicas=ready,
            )
        ]
        if svc.previous:
            out.append(
                Rollout(
                    workload=service,
                    service=service,
                    revision=1,
                    version=svc.previous,
                    images=(f"shop/{service}:{svc.previous}",),
                    at=at,
                )
            )
        return out

    def _status(self, name: str, port: int) -> dict[str, Any]:
        try:
            data = json.loads(self.shop.pod_status(name, port).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
