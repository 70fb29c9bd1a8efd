"""Performing and undoing writes: the one path from an allowed action to a driver and back.

``Executor`` routes an action to its driver (``actions.routes`` names a driver per service; else
the first driver that knows the kind), reads the kill switch immediately before the write, records
the result on the incident and in the audit trail, and never performs an idempotency key twice. It
is the act stage's engine, the gate's and the approvals' dry run (``preview``), and verify's undo
(``roll_back``, ``perform`` of a runbook's own rollback steps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nightowl.actions.protocol import ActionDriver
from nightowl.clock import Clock
from nightowl.domain import ActionResult, ActionSpec, ActionStatus
from nightowl.domain.ports import Preview
from nightowl.domain.remediation import READ_ONLY_KINDS
from nightowl.errors import ActionError, ConfigError, HaltedError
from nightowl.store import IncidentStore
from nightowl.store.audit import AuditLog
from nightowl.store.control import ControlStore
from nightowl.telemetry import Span, meters, span


class Executor:
    """Drives writes for every stage. Safe to share across incidents (no per-incident state);
    concurrent calls for one idempotency key are serialised by the drivers' own idempotency.
    Raises ConfigError when built with a route (``actions.routes``) to no configured driver."""

    def __init__(
        self,
        drivers: Sequence[ActionDriver],
        routes: Mapping[str, str],
        *,
        store: IncidentStore,
        audit: AuditLog,
        control: ControlStore,
        clock: Clock,
        dry_run: bool,
    ) -> None:
        self.drivers, self.routes = list(drivers), dict(routes)
        names = [d.name for d in self.drivers]
        for service, name in self.routes.items():
            if name not in names:
                raise ConfigError(
                    f"no action driver named {name!r}; configured: {', '.join(names) or 'none'}",
                    where=f"actions.routes.{service}",
                )
        self.store, self.audit, self.control, self.clock = store, audit, control, clock
        self.dry_run = dry_run

    def driver_for(self, kind: str, service: str | None = None) -> ActionDriver | None:
        """The driver routed to ``service`` if it can, else the first that can."""
        routed = self.routes.get(service or "")
        if routed is not None:
            return next((d for d in self.drivers if d.name == routed and kind in d.kinds), None)
        return next((d for d in self.drivers if kind in d.kinds), None)

    async def preview(self, action: ActionSpec) -> Preview:
        """The driver's dry run of ``action`` (never raises for the driver's failure)."""
        if action.kind in READ_ONLY_KINDS:
            return Preview()
        driver = self.driver_for(action.kind, action.service)
        if driver is None:
            return Preview(available=False)
        try:
            return Preview(result=await driver.apply(action, dry_run=True))
        except ActionError as exc:
            return Preview(error=str(exc), retryable=exc.retryable)

    async def perform(self, incident_id: str, action: ActionSpec) -> tuple[str, bool]:
        """Perform one allowed action; (summary line, whether to stop the rest of the plan)."""
        driver = self.driver_for(action.kind, action.service)
        attributes = {
            "nightowl.action.kind": action.kind,
            "nightowl.action.service": action.service,
            "nightowl.action.driver": driver.name if driver else None,
            "nightowl.action.dry_run": self.dry_run,
        }
        with span(f"action {action.kind}", attributes) as traced:
            if driver is None:
                traced.fail("no driver can perform it")
                return f"{action.kind}: no driver can perform it", True
            try:
                self._ensure_writable(driver.name)  # read immediately before the write
                result = await driver.apply(action, dry_run=self.dry_run)
            except HaltedError as exc:
                self._audit(
                    incident_id, "action.halted", {"action": _json(action), "reason": str(exc)}
                )
                traced.set("nightowl.action.status", "halted")
                return f"{action.kind} {action.service}: not executed, {exc}", True
            except ActionError as exc:
                result = self._failed(action, driver.name, str(exc))
            _describe(traced, result)
        self.store.save_action(incident_id, result)
        self._audit(incident_id, "action", {"result": _json(result)}, actor=driver.name)
        return (
            f"{action.kind} {action.service}: {result.status.value}",
            result.status is ActionStatus.FAILED,
        )

    async def roll_back(self, incident_id: str, executed: Sequence[ActionResult]) -> list[str]:
        """Restore the pre-state of ``executed``, newest first; one note per action."""
        notes = []
        for action in reversed(executed):
            driver = self.driver_for(action.kind, action.service)
            if driver is None:
                notes.append(f"no driver to roll back {action.kind}")
                continue
            try:
                self._ensure_writable(driver.name)
                undone = await driver.rollback(action)
            except ActionError as exc:
                self._audit(
                    incident_id, "rollback.failed", {"action": _json(action), "reason": str(exc)}
                )
                notes.append(
                    f"{action.kind} NOT rolled back ({exc}); restore by hand: {action.pre_state}"
                )
                continue
            self.store.save_action(incident_id, undone)
            self._audit(incident_id, "rollback", {"result": _json(undone)}, actor=driver.name)
            notes.append(f"rolled back {action.kind}")
        return notes

    def _ensure_writable(self, driver: str) -> None:
        state = self.control.killswitch()
        if state.on:
            raise HaltedError(state.message(), driver=driver)

    def _failed(self, action: ActionSpec, driver: str, message: str) -> ActionResult:
        at = self.clock.now()
        return ActionResult(
            kind=action.kind,
            service=action.service,
            idempotency_key=action.idempotency_key,
            driver=driver,
            status=ActionStatus.FAILED,
            dry_run=self.dry_run,
            started_at=at,
            finished_at=at,
            message=message,
        )

    def _audit(
        self, incident_id: str, kind: str, data: dict[str, object], actor: str = "nightowl"
    ) -> None:
        self.audit.append(incident_id, kind, data, actor=actor, at=self.clock.now())


def _describe(traced: Span, result: ActionResult) -> None:
    """The action's outcome on its span (and counted): status, pre-state, message."""
    meters.count(meters.ACTIONS.labels(result.kind, result.status.value))
    traced.set("nightowl.action.status", result.status.value)
    traced.set("nightowl.action.pre_state", str(result.pre_state.model_dump(mode="json"))[:1000])
    traced.set("nightowl.action.message", result.message[:500] if result.message else None)
    if result.status is ActionStatus.FAILED:
        traced.fail(result.message or "the action failed")


def _json(model: ActionSpec | ActionResult) -> dict[str, object]:
    return model.model_dump(mode="json")
