"""The simulated cluster: a file-backed world of service versions and replicas, and its driver.

The replay connectors read the same state, so a rollback applied here really ends the fault in the
signals that verification reads next. The state file survives a crash of the process.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime
from pathlib import Path

from nightowl.clock import Clock
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, Scalar
from nightowl.domain.base import Model
from nightowl.errors import ActionError
from nightowl_lab.sim.scenario import FaultSpec, Scenario


class ServiceState(Model):
    """One service as the simulated cluster holds it: version, the version before, replicas,
    restarts.
    """

    version: str
    previous_version: str | None = None
    replicas: int
    restarts: int = 0


class ClusterEvent(Model):
    """One change the simulated driver made (a rollback, restart, scale-out ...), keyed by the
    action's idempotency key; ``undone_at`` when it was rolled back.
    """

    kind: str
    service: str
    at: datetime
    idempotency_key: str
    undone_at: datetime | None = None


class ClusterState(Model):
    """The whole simulated cluster: every service's state and the changes made to it, in order."""

    services: dict[str, ServiceState]
    events: list[ClusterEvent] = []


class SimulatedCluster:
    """The world's state on disk. Safe across processes (an exclusive file lock per update)."""

    def __init__(self, scenario: Scenario, path: Path) -> None:
        self.scenario = scenario
        self.path = path

    def state(self) -> ClusterState:
        """The state as the file holds it, or the scenario's state at the page (after the deploys
        before it) when nothing has changed yet.
        """
        if self.path.exists():
            return ClusterState.model_validate_json(self.path.read_text())
        return self._initial()

    def _initial(self) -> ClusterState:
        services = {}
        for name, spec in self.scenario.services.items():
            deploys = sorted(
                (
                    d
                    for d in self.scenario.deploys
                    if d.service == name and d.at <= self.scenario.page_time
                ),
                key=lambda d: d.at,
            )
            last = deploys[-1] if deploys else None
            services[name] = ServiceState(
                version=last.version if last else spec.version,
                previous_version=(last.previous_version or spec.version) if last else None,
                replicas=spec.replicas,
            )
        return ClusterState(services=services)

    def update(self, change: ClusterEvent, service: ServiceState | None) -> ClusterState:
        """Record ``change`` (replacing an earlier change with the same key) and the service's
        new state, under an exclusive file lock, atomically; the new state.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self.state()
            events = [e for e in state.events if e.idempotency_key != change.idempotency_key]
            services = dict(state.services)
            if service is not None:
                services[change.service] = service
            new = ClusterState(services=services, events=[*events, change])
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(new.model_dump(mode="json"), indent=1))
            os.replace(tmp, self.path)
            return new

    def remedied_at(self, fault: FaultSpec) -> tuple[datetime, float] | None:
        """When an action that ends ``fault`` took effect (and was not undone), with recovery minutes."""
        remedies = {r.kind: r.recovery_minutes for r in fault.resolved_by}
        for event in self.state().events:
            if (
                event.service == fault.service
                and event.kind in remedies
                and event.undone_at is None
            ) and event.at >= fault.start:
                return event.at, remedies[event.kind]
        return None


class SimulatedClusterDriver:
    """Acts on the simulated cluster with every action kind the built-in runbooks use.

    ``rollback``, ``restart``, ``scale_out`` and ``delete_pod`` change the service's state;
    ``ssh``, ``webhook`` and ``pull_request`` (clean a disk, call a failover or renewal hook, revert
    a config file) only record an event, which is what ends the faults they remedy.
    """

    name = "simulated"
    kinds = frozenset(
        {"rollback", "restart", "scale_out", "delete_pod", "ssh", "webhook", "pull_request"}
    )

    def __init__(self, cluster: SimulatedCluster, clock: Clock) -> None:
        self.cluster = cluster
        self.clock = clock

    def plan(self, action: ActionSpec) -> str:
        """What the action would change in the simulated cluster, from its state now."""
        current = self._service(action.service)
        if action.kind == "rollback":
            target = action.params.get("to_version") or current.previous_version
            return f"roll back {action.service} from {current.version} to {target}"
        if action.kind == "restart":
            return f"restart the {current.replicas} replicas of {action.service} one at a time"
        if action.kind == "delete_pod":
            return f"delete {action.params.get('count') or 1} pod(s) of {action.service}"
        if action.kind == "ssh":
            return f"run {action.params.get('template')!r} on the hosts of {action.service}"
        if action.kind == "webhook":
            return f"call the {action.params.get('hook')!r} hook for {action.service}"
        if action.kind == "pull_request":
            return f"open a pull request: {action.params.get('title') or action.service}"
        factor = float(action.params.get("factor") or 2)
        return f"scale {action.service} from {current.replicas} to {round(current.replicas * factor)} replicas"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Change the simulated cluster and record the change under the action's key (a record
        with the same key is replaced); a dry run changes nothing. ActionError for a kind it does
        not perform.
        """
        if action.kind not in self.kinds:
            raise ActionError(f"cannot perform {action.kind!r}", driver=self.name)
        started = self.clock.now()
        before = self._service(action.service)
        plan = self.plan(action)
        if dry_run:
            return self._result(
                action, ActionStatus.DRY_RUN, started, before, before, f"dry run: would {plan}"
            )
        after = self._changed(action, before)
        event = ClusterEvent(
            kind=action.kind,
            service=action.service,
            at=started,
            idempotency_key=action.idempotency_key,
        )
        self.cluster.update(event, after)
        return self._result(action, ActionStatus.SUCCEEDED, started, before, after, plan)

    async def rollback(self, result: ActionResult) -> ActionResult:
        """Restore the service's recorded pre-state and mark the action's change as undone."""
        started = self.clock.now()
        before = self._service(result.service)
        restored = ServiceState.model_validate(result.pre_state.flat())
        events = [
            e for e in self.cluster.state().events if e.idempotency_key == result.idempotency_key
        ]
        if events:
            undone = events[0].model_copy(update={"undone_at": started})
            self.cluster.update(undone, restored)
        return ActionResult(
            kind=result.kind,
            service=result.service,
            idempotency_key=result.idempotency_key,
            driver=self.name,
            status=ActionStatus.ROLLED_BACK,
            dry_run=result.dry_run,
            started_at=started,
            finished_at=self.clock.now(),
            pre_state=_flat(before),
            post_state=_flat(restored),
            message=f"restored {result.service} to {restored.version} with {restored.replicas} replicas",
        )

    def _service(self, name: str) -> ServiceState:
        try:
            return self.cluster.state().services[name]
        except KeyError:
            raise ActionError(
                f"no service {name!r} in the simulated cluster", driver=self.name
            ) from None

    def _changed(self, action: ActionSpec, before: ServiceState) -> ServiceState:
        if action.kind == "rollback":
            target = str(
                action.params.get("to_version") or before.previous_version or before.version
            )
            return before.model_copy(update={"version": target, "previous_version": before.version})
        if action.kind == "restart":
            return before.model_copy(update={"restarts": before.restarts + before.replicas})
        if action.kind == "delete_pod":
            count = int(action.params.get("count") or 1)
            return before.model_copy(update={"restarts": before.restarts + count})
        if action.kind != "scale_out":
            return before
        factor = float(action.params.get("factor") or 2)
        return before.model_copy(update={"replicas": max(1, round(before.replicas * factor))})

    def _result(
        self,
        action: ActionSpec,
        status: ActionStatus,
        started: datetime,
        before: ServiceState,
        after: ServiceState,
        message: str,
    ) -> ActionResult:
        return ActionResult(
            kind=action.kind,
            service=action.service,
            idempotency_key=action.idempotency_key,
            driver=self.name,
            status=status,
            dry_run=status is ActionStatus.DRY_RUN,
            started_at=started,
            finished_at=self.clock.now(),
            pre_state=_flat(before),
            post_state=_flat(after),
            message=message,
        )


def _flat(state: ServiceState) -> dict[str, Scalar]:
    return dict(state.model_dump(mode="json"))
