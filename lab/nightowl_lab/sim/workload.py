"""The simulated cluster as Kubernetes would show it: pods, events and rollout history.

Derived from the scenario and the simulated cluster's state, in the live connectors' shapes:
each service runs ``replicas`` pods of its current version; the scenario's deploys and nightowl's
rollbacks are rollout revisions; a memory leak that has fully ramped up shows as an OOM kill of
every replica (until a remedy ends the fault); deploys, OOM kills and nightowl's actions are events.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from nightowl.domain import ClusterEvent, ContainerStatus, Pod, Rollout, SignalKind
from nightowl.domain.cluster import OOM_KILLED
from nightowl_lab.sim.cluster import SimulatedCluster
from nightowl_lab.sim.scenario import FaultSpec, Scenario

NAMESPACE = "scenario"
LEAKS = ("memory_leak", "oom")
ACTION_EVENTS = {
    "rollback": ("DeploymentRollback", "Rolled back deployment {s} to {v}"),
    "restart": ("Killing", "Restarted the pods of {s} (rolling restart)"),
    "scale_out": ("ScalingReplicaSet", "Scaled deployment {s} to {r} replicas"),
    "delete_pod": ("Killing", "Deleted one pod of {s}; its controller replaces it"),
    "ssh": ("RemoteCommand", "Ran an allowlisted command on the hosts of {s}"),
    "webhook": ("WebhookCalled", "Called the team's automation for {s}"),
    "pull_request": ("PullRequestOpened", "Opened a pull request for {s}"),
}


def _hash(*parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=4).hexdigest()


class Workloads:
    """Read-only views over one scenario and its simulated cluster."""

    def __init__(self, scenario: Scenario, cluster: SimulatedCluster) -> None:
        self.scenario = scenario
        self.cluster = cluster

    def oom_at(self, fault: FaultSpec, end: datetime) -> datetime | None:
        """When a leak's memory reached its peak (the OOM kill), if by ``end`` and not remedied."""
        if fault.kind not in LEAKS:
            return None
        memory = [e for e in fault.effects if e.signal is SignalKind.MEMORY]
        if not memory:
            return None
        at = fault.start + timedelta(minutes=memory[0].delay_minutes + memory[0].ramp_minutes)
        remedied = self.cluster.remedied_at(fault)
        if at > end or (remedied is not None and remedied[0] <= at):
            return None
        return at

    def pod_fault(self, fault: FaultSpec, end: datetime) -> datetime | None:
        """When a fault's pod effect (restarts, a waiting reason) began, if active at ``end``."""
        if fault.pods is None:
            return None
        at = fault.start + timedelta(minutes=fault.pods.delay_minutes)
        remedied = self.cluster.remedied_at(fault)
        if at > end or (remedied is not None and remedied[0] <= end):
            return None
        return at

    def pods(self, service: str, end: datetime) -> list[Pod]:
        """The service's pods at ``end``: its replicas, with the restarts, waiting reasons and
        OOM kills of the faults active then.
        """
        state = self.cluster.state().services[service]
        ooms = [
            t for f in self.scenario.faults if f.service == service if (t := self.oom_at(f, end))
        ]
        active = [
            (f.pods, t)
            for f in self.scenario.faults
            if f.service == service and f.pods is not None and (t := self.pod_fault(f, end))
        ]
        replica_set = _hash(service, state.version)
        pods = []
        for i in range(state.replicas):
            hits = [(p, t) for p, t in active if p.pods_affected is None or i < p.pods_affected]
            extra = sum(p.restarts for p, _ in hits)
            waiting = next((p.waiting_reason for p, _ in hits if p.waiting_reason), None)
            killed = [t for p, t in hits if p.oom_killed]
            last_oom = max([*ooms, *killed]) if ooms or killed else None
            restarts = state.restarts // max(state.replicas, 1) + len(ooms) + len(killed) + extra
            pods.append(
                Pod(
                    name=f"{service}-{replica_set}-{_hash(service, state.version, i)[:5]}",
                    namespace=NAMESPACE,
                    service=service,
                    phase="Running" if waiting is None else "Pending",
                    node=f"node-{i % 3 + 1}",
                    version=state.version,
                    started_at=self.scenario.start,
                    containers=(
                        ContainerStatus(
                            name=service,
                            image=f"registry.local/{service}:{state.version}",
                            ready=waiting is None,
                            restart_count=restarts,
                            state="running" if waiting is None else "waiting",
                            reason=waiting,
                            last_termination_reason=OOM_KILLED if last_oom else None,
                            last_exit_code=137 if last_oom else None,
                            last_terminated_at=last_oom,
                        ),
                    ),
                )
            )
        return pods

    def events(self, service: str | None, start: datetime, end: datetime) -> list[ClusterEvent]:
        """The cluster events in [start, end]: deploys' replica-set scaling, OOM kills, config
        changes, the faults' pod warnings and the simulated driver's changes.
        """
        out: list[ClusterEvent] = []
        for d in self.scenario.deploys:
            if start <= d.at <= end and service in (None, d.service):
                out.append(self._event(d.at, "Normal", "ScalingReplicaSet", d.service,
                                       f"Scaled up replica set {d.service}-{_hash(d.service, d.version)} "
                                       f"({d.version})"))  # fmt: skip
        for fault in self.scenario.faults:
            at = self.oom_at(fault, end)
            if at is not None and start <= at <= end and service in (None, fault.service):
                out.append(self._event(at, "Warning", "OOMKilling", fault.service,
                                       f"Memory cgroup out of memory: killed {fault.service}"))  # fmt: skip
        for c in self.scenario.config_changes:
            if start <= c.at <= end and service in (None, c.service):
                who = f" by {c.author}" if c.author else ""
                out.append(self._event(c.at, "Normal", "ConfigChanged", c.service,
                                       f"{c.key}: {c.old!r} → {c.new!r}{who}"))  # fmt: skip
        for fault in self.scenario.faults:
            began = self.pod_fault(fault, end)
            if began is None or fault.pods is None or not fault.pods.event_reason:
                continue
            if start <= began <= end and service in (None, fault.service):
                out.append(self._event(began, "Warning", fault.pods.event_reason, fault.service,
                                       fault.pods.event_message))  # fmt: skip
        state = self.cluster.state()
        for e in state.events:
            if start <= e.at <= end and service in (None, e.service) and e.kind in ACTION_EVENTS:
                svc = state.services[e.service]
                reason, text = ACTION_EVENTS[e.kind]
                message = text.format(s=e.service, v=svc.version, r=svc.replicas)
                out.append(self._event(e.at, "Normal", reason, e.service, message))
        return sorted(out, key=lambda e: e.at, reverse=True)

    def rollouts(self, service: str) -> list[Rollout]:
        """The service's rollout history: its first version, each deploy and each rollback
        nightowl made (not undone), newest revision first.
        """
        spec = self.scenario.services[service]
        changes: list[tuple[datetime, str, str | None]] = [
            (self.scenario.start, spec.version, None)
        ]
        changes += [
            (d.at, d.version, d.summary) for d in self.scenario.deploys if d.service == service
        ]
        state = self.cluster.state()
        for e in state.events:
            if e.service == service and e.kind == "rollback" and e.undone_at is None:
                changes.append((e.at, state.services[service].version, "rollback by nightowl"))
        changes.sort(key=lambda c: c[0])
        revisions = [
            Rollout(
                workload=service,
                service=service,
                revision=n,
                version=version,
                images=(f"registry.local/{service}:{version}",),
                at=at,
                change_cause=cause,
                replicas=state.services[service].replicas if n == len(changes) else 0,
                ready_replicas=state.services[service].replicas if n == len(changes) else 0,
            )
            for n, (at, version, cause) in enumerate(changes, start=1)
        ]
        return revisions[::-1]

    def _event(
        self, at: datetime, kind: str, reason: str, service: str, message: str
    ) -> ClusterEvent:
        return ClusterEvent(
            at=at,
            type=kind,
            reason=reason,
            message=message,
            object=f"Deployment/{service}",
            namespace=NAMESPACE,
            service=service,
        )
