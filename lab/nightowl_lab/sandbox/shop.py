"""The shop: its services, their replicas and versions, kept in files under the sandbox directory.

``shop.json`` holds every service's stable port, replicas (PID, port, version), current and
previous version. Both the sandbox commands and nightowl's sandbox driver (in the ``nightowl
serve`` process) change it, under a file lock. After each change the router's ``routes.json`` and
Prometheus's ``targets.json`` (file service discovery) are rewritten, so traffic and scrapes follow.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from nightowl_lab.harness.ports import free_port
from nightowl_lab.sandbox import procs

APP = "nightowl_lab.sandbox.services.app"
SUPERVISOR = "nightowl_lab.sandbox.services.supervisor"


class Design(BaseModel):
    """How one service is built: capacity, calls, and what each version does."""

    workers: int
    work_ms: float
    downstreams: dict[str, float] = {}
    versions: dict[str, float] = {"v1": 0.0, "v2": 0.35}
    """version → its bug's error rate (v2 is the bad build)."""
    crashes: tuple[str, ...] = ()
    """Versions that exit at start-up (a bad build the supervisor keeps restarting)."""
    call_timeout: float = 0.5
    """Seconds the service's client waits for a downstream's answer (outer services wait longer
    than the ones they call, so a slow dependency times out at its direct callers first)."""


SHOP: dict[str, Design] = {
    "frontend": Design(
        workers=4, work_ms=40, downstreams={"checkout": 0.3, "inventory": 0.5}, call_timeout=2.0
    ),
    "checkout": Design(
        workers=4,
        work_ms=15,
        downstreams={"payments": 1.0, "cache": 1.0},
        versions={"v1": 0.0, "v2": 0.35, "v3": 0.0},
        crashes=("v3",),
    ),
    "payments": Design(workers=4, work_ms=15),
    "inventory": Design(workers=4, work_ms=10, downstreams={"cache": 1.0}),
    "cache": Design(workers=8, work_ms=2),
}
TOPOLOGY = {name: sorted(d.downstreams) for name, d in SHOP.items()}


class Replica(BaseModel):
    """One running process of a service: its pid, port and version."""

    pid: int
    port: int
    version: str


class Service(BaseModel):
    """One shop service: its stable port (callers' address), the version it runs (and the one
    before), its replicas.
    """

    name: str
    port: int
    version: str = "v1"
    previous: str | None = None
    replicas: list[Replica] = []


class Shop:
    """The services of one sandbox directory. Every change holds ``shop.lock``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.file = directory / "shop.json"

    def services(self) -> dict[str, Service]:
        """The services as the shop file holds them; none before the shop was started."""
        if not self.file.exists():
            return {}
        raw = json.loads(self.file.read_text())
        return {name: Service.model_validate(s) for name, s in raw.items()}

    @contextmanager
    def locked(self) -> Iterator[dict[str, Service]]:
        """The services, to change; written back (with routes and targets) on exit."""
        with (self.directory / "shop.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            services = self.services()
            yield services
            self._write(services)

    def _write(self, services: dict[str, Service]) -> None:
        def atomic(path: Path, data: object) -> None:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1))
            tmp.replace(path)

        atomic(self.file, {n: s.model_dump() for n, s in services.items()})
        atomic(
            self.directory / "routes.json",
            {
                n: {"port": s.port, "backends": [r.port for r in s.replicas]}
                for n, s in services.items()
            },
        )
        atomic(
            self.directory / "targets.json",
            [
                {"targets": [f"127.0.0.1:{r.port}"], "labels": {"service": n}}
                for n, s in services.items()
                for r in s.replicas
            ],
        )

    # replicas ------------------------------------------------------------------------------

    def start_replica(self, service: Service, version: str, wait: bool = True) -> Replica:
        """Start one replica of ``version`` under the supervisor (which restarts it when it exits)
        and, if ``wait``, wait until it listens (not yet routed)."""
        design, port = SHOP[service.name], free_port()
        (self.directory / "pods").mkdir(exist_ok=True)
        argv = procs.python_module(
            SUPERVISOR,
            f"--status={self.pod_status(service.name, port)}",
            "--",
            *procs.python_module(APP),
            f"--name={service.name}",
            f"--version={version}",
            f"--port={port}",
            f"--workers={design.workers}",
            f"--work-ms={design.work_ms}",
            f"--error-rate={design.versions.get(version, 0.0)}",
            f"--log-file={self.directory / 'logs' / (service.name + '.log')}",
            f"--data-dir={self.disk(service.name)}",
            f"--call-timeout={design.call_timeout}",
            *[
                f"--downstream={d}:{self.services_port(d)}:{p}"
                for d, p in design.downstreams.items()
            ],
            *(["--crash-at-start"] if version in design.crashes else []),
        )
        out = self.directory / "out" / f"{service.name}-{port}.out"
        pid = procs.spawn(argv, out)
        if wait:
            try:
                procs.wait_port(port, pid, 15.0, f"{service.name} {version}", out)
            except RuntimeError:
                procs.stop(pid)
                raise
        return Replica(pid=pid, port=port, version=version)

    def pod_status(self, name: str, port: int) -> Path:
        """The supervisor's status file of the replica of ``name`` on ``port``."""
        return self.directory / "pods" / f"{name}-{port}.json"

    def disk(self, name: str) -> Path:
        """The service's volume (shared by its replicas): a directory of the sandbox."""
        return self.directory / "disk" / name

    def dumps(self, name: str) -> list[Path]:
        """The files a runaway export left in the service's volume (what a cleanup deletes)."""
        return sorted((self.disk(name) / "tmp").glob("*.dump"))

    def services_port(self, name: str) -> int:
        """The port ``ports.json`` records for ``name``."""
        return int(json.loads((self.directory / "ports.json").read_text())[name])

    def deploy(self, name: str, version: str, wait: bool = True) -> Service:
        """Replace every replica by one of ``version`` (start new, route, stop old); with
        ``wait=False`` the new ones are routed without waiting for them to listen."""
        with self.locked() as services:
            service = services[name]
            count = max(1, len(service.replicas))
            old = service.replicas
            service.replicas = [self.start_replica(service, version, wait) for _ in range(count)]
            if version != service.version:
                service.previous, service.version = service.version, version
            self._write(services)
        for replica in old:
            procs.stop(replica.pid)
        return service

    def scale(self, name: str, count: int) -> Service:
        """Start or stop replicas of the current version until there are ``count``."""
        with self.locked() as services:
            service = services[name]
            while len(service.replicas) < count:
                service.replicas.append(self.start_replica(service, service.version))
            extra = service.replicas[count:]
            service.replicas = service.replicas[:count]
            self._write(services)
        for replica in extra:
            procs.stop(replica.pid)
        return service
