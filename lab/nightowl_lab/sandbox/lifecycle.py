"""``up``, ``down`` and ``status``: every process of a sandbox, started and stopped by PID.

The state file (PIDs, ports, directory, webhook token) lets ``down`` and ``status`` run from
another command than ``up``. Everything listens on 127.0.0.1 and lives in one temporary directory.
Errors: ConfigError when a server binary is missing (naming the Debian package), NightowlError
when a process does not start (with its output), NotFoundError when no sandbox is up.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import BaseModel, Field

from nightowl.errors import ConfigError, NightowlError, NotFoundError
from nightowl_lab.harness.ports import free_port
from nightowl_lab.sandbox import configs, procs
from nightowl_lab.sandbox.shop import SHOP, Service, Shop

BASELINE_RATE = 15.0
"""Requests a second the load generator sends to the frontend in normal times."""
BINARIES = {
    "prometheus": (("prometheus",), "prometheus"),
    "alertmanager": (("prometheus-alertmanager", "alertmanager"), "prometheus-alertmanager"),
}


class SandboxState(BaseModel):
    """What ``up`` started, kept in a state file so that ``status`` and ``down`` find it: the
    directory, the API token, each process's port and pid, and when it started.
    """

    directory: Path
    token: str
    reader_token: str = Field(
        description="The api.users token of the harness's on-call (a responder): it reads "
        "incidents and closes an escalated one between faults."
    )
    ports: dict[str, int]
    pids: dict[str, int]
    started_at: datetime

    def url(self, what: str) -> str:
        """The loopback URL of process ``what`` (``prometheus``, ``nightowl``, ...)."""
        return f"http://127.0.0.1:{self.ports[what]}"

    @property
    def reader(self) -> dict[str, str]:
        """Headers of a person reading nightowl's API (every route but /healthz takes a token)."""
        return {"Authorization": f"Bearer {self.reader_token}"}

    def save(self, path: Path) -> None:
        """Write the state as JSON (its directory is created when missing)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=1))

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        """The state of the running sandbox; NotFoundError saying how to start one when none is
        up.
        """
        if not path.exists():
            raise NotFoundError(
                f"no sandbox is up (no state file {path}); start one: nightowl sandbox up"
            )
        return cls.model_validate_json(path.read_text())


def default_state_file() -> Path:
    """Where the sandbox keeps its state unless told otherwise (under the system's temp
    directory).
    """
    return Path(tempfile.gettempdir()) / "nightowl-sandbox" / "state.json"


def binary(what: str) -> str:
    """The path of an installed service binary (Prometheus, Alertmanager, ...); ConfigError
    naming the Debian package to install when it is missing.
    """
    names, package = BINARIES[what]
    for name in names:
        if found := shutil.which(name):
            return found
    raise ConfigError(
        f"{names[0]} is not installed: apt-get install {package} (the Debian package), "
        "or run scripts/install-services.sh"
    )


def up(state_file: Path) -> SandboxState:
    """Start the shop, the load, Prometheus, Alertmanager and nightowl; the saved state."""
    if state_file.exists():
        raise NightowlError(
            f"a sandbox is already up ({state_file}); stop it: nightowl sandbox down"
        )
    bins = {what: binary(what) for what in BINARIES}
    directory = Path(tempfile.mkdtemp(prefix="nightowl-sandbox-"))
    for sub in ("logs", "out"):
        (directory / sub).mkdir()
    names = [*SHOP, "router", "prometheus", "alertmanager", "nightowl"]
    state = SandboxState(
        directory=directory,
        token=secrets.token_hex(16),
        reader_token=secrets.token_hex(16),
        ports={name: free_port() for name in names},
        pids={},
        started_at=datetime.now(UTC),
    )
    configs.write_all(directory, state.ports, state.token, state.reader_token)
    (directory / "load.json").write_text(json.dumps({"rate": BASELINE_RATE}))
    try:
        _start_all(state, bins)
    except BaseException:
        _stop_all(state)
        shutil.rmtree(directory, ignore_errors=True)
        raise
    state.save(state_file)
    return state


def _start_all(state: SandboxState, bins: dict[str, str]) -> None:
    d, shop = state.directory, Shop(state.directory)
    with shop.locked() as services:
        for name in SHOP:
            services[name] = Service(name=name, port=state.ports[name])
            services[name].replicas.append(shop.start_replica(services[name], "v1"))
    state.pids["router"] = _start(
        "router",
        procs.python_module(
            "nightowl_lab.sandbox.services.router",
            f"--routes={d / 'routes.json'}",
            f"--metrics-port={state.ports['router']}",
        ),
        d,
        state.ports["frontend"],
    )
    state.pids["prometheus"] = _start(
        "prometheus",
        [
            bins["prometheus"],
            f"--config.file={d / 'prometheus.yml'}",
            f"--storage.tsdb.path={d / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{state.ports['prometheus']}",
            "--log.level=warn",
        ],
        d,
        state.ports["prometheus"],
    )
    state.pids["alertmanager"] = _start(
        "alertmanager",
        [
            bins["alertmanager"],
            f"--config.file={d / 'alertmanager.yml'}",
            f"--storage.path={d / 'alertmanager-data'}",
            f"--web.listen-address=127.0.0.1:{state.ports['alertmanager']}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        d,
        state.ports["alertmanager"],
    )
    state.pids["nightowl"] = _start(
        "nightowl",
        procs.python_module(
            "nightowl.cli",
            "sandbox",
            "nightowl-serve",
            f"--config={d / 'nightowl.yaml'}",
            f"--port={state.ports['nightowl']}",
        ),
        d,
        state.ports["nightowl"],
        timeout=60.0,
    )
    state.pids["loadgen"] = procs.spawn(
        procs.python_module(
            "nightowl_lab.sandbox.services.loadgen",
            f"--port={state.ports['frontend']}",
            f"--rate-file={d / 'load.json'}",
        ),
        d / "out" / "loadgen.out",
    )


def _start(what: str, argv: list[str], d: Path, port: int, timeout: float = 30.0) -> int:
    log = d / "out" / f"{what}.out"
    pid = procs.spawn(argv, log, cwd=d)
    try:
        procs.wait_port(port, pid, timeout, what, log)
    except RuntimeError as exc:
        procs.stop(pid)
        raise NightowlError(str(exc)) from None
    return pid


def _stop_all(state: SandboxState) -> None:
    for what in ("loadgen", "nightowl", "alertmanager", "prometheus"):
        if what in state.pids:
            procs.stop(state.pids[what])
    extra = state.directory / "faults.json"
    if extra.exists():
        for pid in json.loads(extra.read_text()).get("pids", []):
            procs.stop(int(pid))
    for service in Shop(state.directory).services().values():
        for replica in service.replicas:
            procs.stop(replica.pid)
    if "router" in state.pids:
        procs.stop(state.pids["router"])


def down(state_file: Path, keep: bool = False) -> SandboxState:
    """Stop every process by PID; delete the directory unless ``keep``."""
    state = SandboxState.load(state_file)
    _stop_all(state)
    if not keep:
        shutil.rmtree(state.directory, ignore_errors=True)
    state_file.unlink(missing_ok=True)
    return state


class Status(BaseModel):
    """What ``nightowl sandbox status`` shows: which processes live, the shop's services, the
    alerts firing in Prometheus and the load generator's rate.
    """

    processes: dict[str, bool]
    services: dict[str, Service]
    firing: list[str]
    load_rate: float


def status(state: SandboxState) -> Status:
    """The sandbox's status now; Prometheus being unreachable shows as a firing line, not an
    error.
    """
    firing: list[str] = []
    try:
        answer = httpx.get(state.url("prometheus") + "/api/v1/alerts", timeout=3.0).json()
        firing = sorted(
            f"{a['labels'].get('alertname')}{{service={a['labels'].get('service')}}}"
            for a in answer["data"]["alerts"]
            if a["state"] == "firing"
        )
    except (httpx.HTTPError, ValueError, KeyError):
        firing = ["(prometheus unreachable)"]
    return Status(
        processes={what: procs.alive(pid) for what, pid in state.pids.items()},
        services=Shop(state.directory).services(),
        firing=firing,
        load_rate=float(json.loads((state.directory / "load.json").read_text())["rate"]),
    )


def wait_healthy(state: SandboxState, timeout: float = 30.0) -> None:
    """Wait until Prometheus has scraped every replica (all ``up``)."""
    deadline = time.monotonic() + timeout
    query = {"query": 'count(up{job="shop"} == 1)'}
    while time.monotonic() < deadline:
        try:
            result = httpx.get(state.url("prometheus") + "/api/v1/query", params=query).json()
            if result["data"]["result"] and int(result["data"]["result"][0]["value"][1]) >= len(
                SHOP
            ):
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise NightowlError(f"Prometheus did not scrape every service within {timeout:g}s")
