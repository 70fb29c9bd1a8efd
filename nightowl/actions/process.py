"""``kind: process`` — restart a local process or systemd unit, or switch it to its previous version.

Each service is described to a small supervisor: the command of every version, a pid file, and a
version file recording the current and previous version. ``restart`` stops the process (SIGTERM,
then SIGKILL after ``stop_timeout_seconds``) and starts the current version's command again;
``rollback`` starts the previous version's (or ``params.to_version``'s) command instead. With
``systemd_units``, the same two actions run ``systemctl restart|stop|start`` on the version's unit.

Idempotence: a ledger file of applied keys (``<state_dir>/process-ledger.json``).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nightowl.actions.config import options
from nightowl.actions.ledger import AppliedLog, Ledger
from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.errors import ActionError
from nightowl.settings import PluginConfig, Settings


class ProcessSpec(BaseModel):
    """One supervised service: the command of each version (or its systemd unit), the pid and
    version files, and how it runs (working directory, environment, log file, stop timeout).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    versions: dict[str, list[str]] = {}
    systemd_units: dict[str, str] = {}
    pid_file: Path | None = None
    version_file: Path
    cwd: Path | None = None
    env: dict[str, str] = {}
    log_file: Path | None = None
    stop_timeout_seconds: float = 10.0


class ProcessConfig(BaseModel):
    """``kind: process``: the supervised services, where the ledger is kept, and the systemctl
    binary.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    services: dict[str, ProcessSpec]
    state_dir: Path | None = None
    systemctl: str = "systemctl"


class ProcessDriver:
    """Supervises the configured services. Not for concurrent actions on one service."""

    Config = ProcessConfig
    kinds = frozenset({"restart", "rollback"})

    def __init__(self, name: str, config: ProcessConfig, state_dir: Path) -> None:
        self.name = name
        self.config = config
        self.ledger: AppliedLog = Ledger((config.state_dir or state_dir) / "process-ledger.json")
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    def use_ledger(self, shared: Callable[[str, Ledger], AppliedLog]) -> None:
        """Keep applied results in the database (``LedgerAware``), the file still read."""
        if isinstance(self.ledger, Ledger):
            self.ledger = shared(self.ledger.path.stem, self.ledger)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> ProcessDriver:
        """The driver of one ``actions.drivers`` entry (its options validated as ProcessConfig)."""
        return cls(plugin.name, options(plugin, ProcessConfig), settings.data_dir / "actions")

    def plan(self, action: ActionSpec) -> str:
        """Restart the current version, or switch from the current version to the target one."""
        spec = self._spec(action.service)
        current = _versions(spec).get("version")
        if action.kind == "restart":
            return f"restart {action.service} ({current})"
        return f"switch {action.service} from {current} to {self._target(action, spec)}"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Restart or switch versions once per idempotency key (the ledger replays a repeat); a
        dry run reads the version file and changes nothing.
        """
        spec, started = self._spec(action.service), now()
        if not dry_run and (done := self.ledger.replay(action.idempotency_key)) is not None:
            return done
        pre = self._state(spec)
        target = str(pre["version"]) if action.kind == "restart" else self._target(action, spec)
        text = self.plan(action)
        radius = BlastRadius(pods_at_once=1, capacity_fraction=1.0, summary="the one process")
        if dry_run:
            post = {**pre, "version": target}
            return dry_run_result(
                action, self.name, started, pre=pre, plan=text, post=post, radius=radius
            )
        await self._switch(spec, str(pre["version"]), target)
        done = result(
            action,
            self.name,
            ActionStatus.SUCCEEDED,
            started,
            pre=pre,
            post=self._state(spec),
            message=text,
            radius=radius,
        )
        self.ledger.put(done)
        return done

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Start the version that ran before the action again; a restart cannot be undone and
        says so.
        """
        spec, started = self._spec(done.service), now()
        before = str(done.pre_state.version)
        if done.kind == "restart":
            return rolled_back(
                done,
                self.name,
                started,
                self._state(spec),
                "a restart cannot be undone and changed no version",
            )
        await self._switch(spec, str(self._state(spec)["version"]), before)
        return rolled_back(
            done, self.name, started, self._state(spec), f"switched {done.service} back to {before}"
        )

    # supervision ---------------------------------------------------------------------------

    def _spec(self, service: str) -> ProcessSpec:
        spec = self.config.services.get(service)
        if spec is None:
            raise ActionError(f"no process is configured for service {service!r}", driver=self.name)
        return spec

    def _target(self, action: ActionSpec, spec: ProcessSpec) -> str:
        wanted = action.params.get("to_version") or _versions(spec).get("previous")
        known = list(spec.systemd_units or spec.versions)
        if wanted is None:
            current = _versions(spec).get("version")
            index = known.index(str(current)) if current in known else 0
            wanted = known[index - 1] if index > 0 else None
        if wanted is None or str(wanted) not in known:
            raise ActionError(
                f"no previous version of {action.service} to switch to (known: {', '.join(known)})",
                driver=self.name,
            )
        return str(wanted)

    def _state(self, spec: ProcessSpec) -> dict[str, Scalar]:
        pid = _read_pid(spec.pid_file)
        alive = pid is not None and self._alive(pid)
        return {"version": _versions(spec).get("version"), "pid": pid if alive else None}

    async def _switch(self, spec: ProcessSpec, current: str, target: str) -> None:
        if spec.systemd_units:
            if target == current:
                await self._systemctl("restart", spec.systemd_units[target])
            else:
                await self._systemctl("stop", spec.systemd_units[current])
                await self._systemctl("start", spec.systemd_units[target])
        else:
            await self._stop(spec)
            self._start(spec, target)
        spec.version_file.parent.mkdir(parents=True, exist_ok=True)
        previous = current if target != current else _versions(spec).get("previous")
        spec.version_file.write_text(json.dumps({"version": target, "previous": previous}))

    async def _stop(self, spec: ProcessSpec) -> None:
        pid = _read_pid(spec.pid_file)
        if pid is None or not self._alive(pid):
            return
        os.kill(pid, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + spec.stop_timeout_seconds
        while self._alive(pid):
            if loop.time() > deadline:
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.05)

    def _start(self, spec: ProcessSpec, version: str) -> None:
        argv = spec.versions.get(version)
        if not argv:
            raise ActionError(f"no command for version {version!r}", driver=self.name)
        log = open(spec.log_file, "ab") if spec.log_file else subprocess.DEVNULL  # noqa: SIM115
        try:
            child = subprocess.Popen(
                argv,
                cwd=spec.cwd,
                env={**os.environ, **spec.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise ActionError(f"cannot start {argv[0]}: {exc.strerror}", driver=self.name) from None
        finally:
            if log is not subprocess.DEVNULL:
                log.close()  # type: ignore[union-attr]
        self._children[child.pid] = child
        if spec.pid_file:
            spec.pid_file.parent.mkdir(parents=True, exist_ok=True)
            spec.pid_file.write_text(str(child.pid))

    def _alive(self, pid: int) -> bool:
        child = self._children.get(pid)
        if child is not None:
            return child.poll() is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    async def _systemctl(self, verb: str, unit: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            self.config.systemctl,
            verb,
            unit,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise ActionError(
                f"systemctl {verb} {unit} exited {proc.returncode}: {out.decode(errors='replace')[-200:]}",
                driver=self.name,
                retryable=True,
            )


def _read_pid(path: Path | None) -> int | None:
    try:
        return int(path.read_text().strip()) if path else None
    except (OSError, ValueError):
        return None


def _versions(spec: ProcessSpec) -> dict[str, str | None]:
    try:
        data: dict[str, str | None] = json.loads(spec.version_file.read_text())
        return data
    except (OSError, ValueError):
        return {"version": next(iter(spec.systemd_units or spec.versions), None), "previous": None}
