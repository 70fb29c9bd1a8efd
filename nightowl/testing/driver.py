"""An in-process ActionDriver acting on an in-memory world of services."""

from __future__ import annotations

from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, Scalar
from nightowl.domain.base import Model
from nightowl.errors import ActionError


class FakeService(Model):
    """One service of the fake world: its version, the version before it, its replicas."""

    version: str
    previous_version: str | None = None
    replicas: int = 1
    restarts: int = 0


class FakeDriver:
    """An ActionDriver over ``world`` (service → FakeService), honouring the driver contract:
    ``plan`` and dry runs change nothing; ``apply`` acts once per idempotency key (a second call
    returns the first result); ``rollback`` restores the captured pre-state (a restart cannot be
    undone and says so). Kinds: ``rollback`` (to ``params.to_version`` or the previous version),
    ``restart``, ``scale_out`` (``params.factor``, default 2). ActionError (not retryable) for an
    unknown service or kind. ``applied`` lists every action that changed the world. Not
    thread-safe."""

    kinds = frozenset({"rollback", "restart", "scale_out"})

    def __init__(self, world: dict[str, FakeService], name: str = "fake-driver") -> None:
        self.name = name
        self.world = world
        self.done: dict[str, ActionResult] = {}
        self.applied: list[ActionSpec] = []

    def plan(self, action: ActionSpec) -> str:
        """What the action would change in the world, from the service's current state."""
        before, after = self._service(action.service), self._after(action)
        if action.kind == "rollback":
            return f"roll back {action.service} from {before.version} to {after.version}"
        if action.kind == "restart":
            return f"restart the {before.replicas} replica(s) of {action.service}"
        return f"scale {action.service} from {before.replicas} to {after.replicas} replicas"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Change the world once per key (a repeat returns the first result); a dry run changes
        nothing.
        """
        started, before = now(), self._service(action.service)
        after, text = self._after(action), self.plan(action)
        if dry_run:
            return dry_run_result(action, self.name, started, pre=_flat(before), plan=text)
        if (done := self.done.get(action.idempotency_key)) is not None:
            return done
        self.world[action.service] = after
        self.applied.append(action)
        done = result(
            action,
            self.name,
            ActionStatus.SUCCEEDED,
            started,
            pre=_flat(before),
            post=_flat(after),
            message=text,
        )
        self.done[action.idempotency_key] = done
        return done

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Restore the service as it was before ``done``; a restart is reported as not undoable."""
        started, current = now(), self._service(done.service)
        if done.kind == "restart":
            return rolled_back(
                done, self.name, started, _flat(current), "a restart cannot be undone"
            )
        restored = FakeService.model_validate(done.pre_state.flat())
        self.world[done.service] = restored
        return rolled_back(done, self.name, started, _flat(restored), f"restored {done.service}")

    def _service(self, name: str) -> FakeService:
        if name not in self.world:
            raise ActionError(f"no service {name!r}", driver=self.name)
        return self.world[name]

    def _after(self, action: ActionSpec) -> FakeService:
        if action.kind not in self.kinds:
            raise ActionError(f"cannot perform {action.kind!r}", driver=self.name)
        before = self._service(action.service)
        if action.kind == "rollback":
            target = str(
                action.params.get("to_version") or before.previous_version or before.version
            )
            return before.model_copy(update={"version": target, "previous_version": before.version})
        if action.kind == "restart":
            return before.model_copy(update={"restarts": before.restarts + before.replicas})
        factor = float(action.params.get("factor") or 2)
        return before.model_copy(update={"replicas": max(1, round(before.replicas * factor))})


def _flat(service: FakeService) -> dict[str, Scalar]:
    return dict(service.model_dump(mode="json"))
