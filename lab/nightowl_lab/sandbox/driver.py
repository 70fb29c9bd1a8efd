"""``kind: sandbox`` — the action driver of the sandbox's shop: restart, roll back, scale out.

Real actions on real processes: ``restart`` replaces every replica of a service by a fresh one
(one at a time, routed before the old one stops); ``rollback`` replaces them by replicas of the
previous version (or ``params.to_version``); ``scale_out`` starts ``params.factor`` times as many
replicas behind the service's round-robin port; ``cleanup_disk`` deletes the dump files a
runaway job left on the service's volume (its directory in the sandbox). Pre-state is the version,
replica count and bytes used on the volume, so ``rollback`` of a result restores the first two
(deleted files cannot be restored). Idempotent under the action's key (a ledger file).
Errors: ActionError (not retryable) for an unknown service or version; blocking work runs in a
worker thread. Not for concurrent actions on one service (the shop's file lock serialises them).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nightowl.actions.config import options
from nightowl.actions.ledger import Ledger
from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.errors import ActionError
from nightowl.settings import PluginConfig, Settings
from nightowl_lab.sandbox.shop import SHOP, Service, Shop


class SandboxConfig(BaseModel):
    """``kind: sandbox`` driver: the sandbox's directory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    directory: Path


class SandboxDriver:
    """Acts on the sandbox shop's local processes: restart, roll back, scale out, clean up a
    disk.

    Honours the driver contract with a ledger beside the shop (one result per idempotency key); a
    restart or a cleanup cannot be undone and says so. Replicas are replaced one at a time behind
    the router, so the blast radius is one replica.
    """

    Config = SandboxConfig
    kinds = frozenset({"restart", "rollback", "scale_out", "cleanup_disk"})

    def __init__(self, name: str, config: SandboxConfig) -> None:
        self.name = name
        self.shop = Shop(config.directory)
        self.ledger = Ledger(config.directory / "nightowl" / "actions" / "sandbox-ledger.json")

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> SandboxDriver:
        """The driver of one ``actions.drivers`` entry (its options validated as SandboxConfig)."""
        return cls(plugin.name, options(plugin, SandboxConfig))

    def plan(self, action: ActionSpec) -> str:
        """What the action would do to the service's processes, from their state now."""
        service = self._service(action.service)
        if action.kind == "restart":
            return f"restart the {len(service.replicas)} replica(s) of {service.name} ({service.version})"
        if action.kind == "rollback":
            return (
                f"switch {service.name} from {service.version} to {self._target(action, service)}"
            )
        if action.kind == "cleanup_disk":
            dumps = self.shop.dumps(service.name)
            size = sum(d.stat().st_size for d in dumps) / 2**20
            return f"delete {len(dumps)} dump file(s) ({size:.0f} MiB) from {service.name}'s volume"
        return f"scale {service.name} from {len(service.replicas)} to {self._count(action, service)} replicas"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Act once per idempotency key (a repeat returns the recorded result); a dry run only
        reports.
        """
        started, service = now(), self._service(action.service)
        if not dry_run and (done := self.ledger.replay(action.idempotency_key)) is not None:
            return done
        pre, text, count = self._state(service), self.plan(action), len(service.replicas)
        after = self._count(action, service) if action.kind == "scale_out" else count
        radius = BlastRadius(
            replicas_before=count,
            replicas_after=after,
            pods_at_once=1,
            capacity_fraction=(
                0.0 if action.kind in ("scale_out", "cleanup_disk") else 1.0 / max(1, count)
            ),
            summary=f"{count} local replica(s), replaced one at a time behind the router",
        )
        if dry_run:
            return dry_run_result(action, self.name, started, pre=pre, plan=text, radius=radius)
        if action.kind == "cleanup_disk":
            await asyncio.to_thread(self._cleanup, service.name)
            changed = self._service(service.name)
        elif action.kind == "restart":
            changed = await asyncio.to_thread(self.shop.deploy, service.name, service.version)
        elif action.kind == "rollback":
            target = self._target(action, service)
            changed = await asyncio.to_thread(self.shop.deploy, service.name, target)
        else:
            changed = await asyncio.to_thread(self.shop.scale, service.name, after)
        done = result(
            action,
            self.name,
            ActionStatus.SUCCEEDED,
            started,
            pre=pre,
            post=self._state(changed),
            message=text,
            radius=radius,
        )
        self.ledger.put(done)
        return done

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Switch back to the version, or scale back to the replicas, recorded before the action."""
        started = now()
        if done.kind in ("restart", "cleanup_disk"):
            state = self._state(self._service(done.service))
            what = "a restart" if done.kind == "restart" else "deleted files"
            return rolled_back(done, self.name, started, state, f"{what} cannot be undone")
        if done.kind == "rollback":
            version = str(done.pre_state.version)
            changed = await asyncio.to_thread(self.shop.deploy, done.service, version)
            note = f"switched {done.service} back to {version}"
        else:
            replicas = int(done.pre_state.replicas or 1)
            changed = await asyncio.to_thread(self.shop.scale, done.service, replicas)
            note = f"scaled {done.service} back to {replicas} replica(s)"
        return rolled_back(done, self.name, started, self._state(changed), note)

    def _state(self, service: Service) -> dict[str, Scalar]:
        disk = self.shop.disk(service.name)
        used = sum(f.stat().st_size for f in disk.rglob("*") if f.is_file()) if disk.exists() else 0
        return {"version": service.version, "replicas": len(service.replicas), "disk_used": used}

    def _cleanup(self, name: str) -> None:
        for dump in self.shop.dumps(name):
            dump.unlink(missing_ok=True)

    def _service(self, name: str) -> Service:
        service = self.shop.services().get(name)
        if service is None:
            raise ActionError(f"the sandbox has no service {name!r}", driver=self.name)
        return service

    def _target(self, action: ActionSpec, service: Service) -> str:
        wanted = str(action.params.get("to_version") or service.previous or "")
        if wanted not in SHOP[service.name].versions:
            raise ActionError(
                f"no previous version of {service.name} to switch to (asked {wanted!r})",
                driver=self.name,
            )
        return wanted

    @staticmethod
    def _count(action: ActionSpec, service: Service) -> int:
        factor = float(str(action.params.get("factor") or 2))
        return max(len(service.replicas) + 1, round(len(service.replicas) * factor))
