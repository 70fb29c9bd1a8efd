"""Cluster state: pods and their containers, the cluster's events, and a workload's rollouts."""

from __future__ import annotations

from datetime import datetime

from nightowl.domain.base import Model

OOM_KILLED = "OOMKilled"


class ContainerStatus(Model):
    """One container of a pod: readiness, restarts, and why it last stopped."""

    name: str
    image: str | None = None
    ready: bool = False
    restart_count: int = 0
    state: str = "unknown"
    """``running``, ``waiting``, ``terminated`` or ``unknown``."""
    reason: str | None = None
    """Why it is waiting or terminated now (``CrashLoopBackOff``, ``OOMKilled``, ...)."""
    last_termination_reason: str | None = None
    last_exit_code: int | None = None
    last_terminated_at: datetime | None = None

    @property
    def oom_killed(self) -> bool:
        """Whether the container's current or last termination was an out-of-memory kill."""
        return OOM_KILLED in (self.reason, self.last_termination_reason)


class Pod(Model):
    """A pod of a service's workload, as the cluster reports it."""

    name: str
    namespace: str = "default"
    service: str | None = None
    phase: str = "Unknown"
    node: str | None = None
    version: str | None = None
    started_at: datetime | None = None
    containers: tuple[ContainerStatus, ...] = ()

    @property
    def restarts(self) -> int:
        """Restarts of all the pod's containers together, as the cluster reports them
        (cumulative).
        """
        return sum(c.restart_count for c in self.containers)

    @property
    def oom_kills(self) -> int:
        """Containers whose last (or current) termination was an out-of-memory kill."""
        return sum(1 for c in self.containers if c.oom_killed)

    @property
    def ready(self) -> bool:
        """True when the pod has containers and every one is ready; a pod with none is not ready."""
        return bool(self.containers) and all(c.ready for c in self.containers)


class ClusterEvent(Model):
    """An event the cluster recorded about one of its objects (Kubernetes ``Event``)."""

    at: datetime
    type: str = "Normal"
    """``Normal`` or ``Warning``."""
    reason: str
    message: str
    object: str
    """``Kind/name`` of the object the event is about."""
    namespace: str = "default"
    service: str | None = None
    count: int = 1


class Rollout(Model):
    """One revision of a workload (a Kubernetes ReplicaSet revision of a Deployment)."""

    workload: str
    service: str
    revision: int
    version: str
    images: tuple[str, ...] = ()
    at: datetime
    change_cause: str | None = None
    replicas: int = 0
    ready_replicas: int = 0
