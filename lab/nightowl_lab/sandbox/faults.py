"""Real faults, injected into a running sandbox, and the reset that clears them between runs.

Each fault names the root cause a competent SRE would give (a taxonomy kind and a service):

- ``bad-deploy``: checkout v2 (a build whose bug raises on a third of requests) replaces v1, and
  the deploy is recorded with nightowl as a CI pipeline would (``POST /api/v1/deploys``);
- ``memory-leak``: inventory starts retaining ~1 MiB a second (an unbounded cache);
- ``traffic-spike``: the load generator sends ~9x the usual traffic to the frontend, beyond what
  one frontend replica serves: the right answer is to scale out, not to roll back;
- ``dependency-latency``: payments' instance degrades and takes 600 ms more per request (a slow
  downstream); checkout, which waits 500 ms for it, times out and fails its requests;
- ``cpu-hog``: a runaway thread spins inside payments (its CPU, no more traffic);
- ``conn-pool-exhaustion``: inventory stops returning connections to its pool to the cache, so
  the pool empties and its requests fail with "connection pool exhausted";
- ``disk-full``: a runaway export fills checkout's volume (a directory of the sandbox, 64 MiB)
  with dump files; writing each order record then fails with "No space left on device";
- ``crash-loop``: checkout v3 (a build missing a configuration key) replaces v1 and exits at
  start-up; the supervisor restarts it with back-off, so it waits in CrashLoopBackOff (the
  sandbox cluster reports it) while checkout is down. The remedy is a rollback to v1.
"""

from __future__ import annotations

import json
import time

import httpx
from pydantic import BaseModel

from nightowl.errors import NotFoundError
from nightowl_lab.sandbox.lifecycle import BASELINE_RATE, SandboxState
from nightowl_lab.sandbox.shop import SHOP, Shop

SPIKE_RATE = 130.0


class Fault(BaseModel):
    """One fault the sandbox can inject: its name, the fault kind and service it stands for, and
    what it does.
    """

    name: str
    kind: str
    service: str
    description: str


FAULTS = {
    f.name: f
    for f in (
        Fault(
            name="bad-deploy",
            kind="bad_deploy",
            service="checkout",
            description="checkout v2 raises errors",
        ),
        Fault(
            name="memory-leak",
            kind="memory_leak",
            service="inventory",
            description="inventory retains 1 MiB/s",
        ),
        Fault(
            name="traffic-spike",
            kind="traffic_spike",
            service="frontend",
            description=f"{SPIKE_RATE:g} req/s on the frontend",
        ),
        Fault(
            name="dependency-latency",
            kind="dependency_failure",
            service="payments",
            description="payments +600 ms per request",
        ),
        Fault(
            name="cpu-hog",
            kind="cpu_saturation",
            service="payments",
            description="a runaway thread spins on the CPU",
        ),
        Fault(
            name="conn-pool-exhaustion",
            kind="connection_pool_exhaustion",
            service="inventory",
            description="connections to the cache leak from the pool",
        ),
        Fault(
            name="disk-full",
            kind="disk_full",
            service="checkout",
            description="a runaway export fills the volume with dump files",
        ),
        Fault(
            name="crash-loop",
            kind="crash_loop",
            service="checkout",
            description="checkout v3 exits at start-up",
        ),
    )
}


def fault(name: str) -> Fault:
    """The fault named ``name``; NotFoundError listing the known ones."""
    if name not in FAULTS:
        raise NotFoundError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
    return FAULTS[name]


def inject(state: SandboxState, name: str) -> str:
    """Inject ``name`` for real; a line saying what was done."""
    shop, f = Shop(state.directory), fault(name)
    if name == "bad-deploy":
        shop.deploy(f.service, "v2")
        httpx.post(
            state.url("nightowl") + "/api/v1/deploys",
            headers={"Authorization": f"Bearer {state.token}"},
            json={
                "service": f.service,
                "version": "v2",
                "previous_version": "v1",
                "author": "sandbox",
                "summary": "new tax calculation",
            },
            timeout=10.0,
        ).raise_for_status()
        return "deployed checkout v2 and recorded the deploy with nightowl"
    if name == "crash-loop":
        shop.deploy(f.service, "v3", wait=False)
        return "deployed checkout v3, which exits at start-up"
    if name == "traffic-spike":
        _set_rate(state, SPIKE_RATE)
        return f"load raised from {BASELINE_RATE:g} to {SPIKE_RATE:g} req/s"
    path = {
        "memory-leak": "/fault/leak",
        "dependency-latency": "/fault/slow?ms=600",
        "cpu-hog": "/fault/hog",
        "conn-pool-exhaustion": "/fault/pool-leak",
        "disk-full": "/fault/disk",
    }[name]
    _toggle(shop, f.service, path)
    return f"{f.service}: {f.description}"


def reset(state: SandboxState) -> None:
    """Back to normal: baseline load, no fault toggled (leaked connections closed, a runaway thread
    stopped), v1 everywhere, one replica each, no dump files."""
    _set_rate(state, BASELINE_RATE)
    shop = Shop(state.directory)
    for name, service in shop.services().items():
        if service.version != "v1":
            shop.deploy(name, "v1")
        if len(service.replicas) != 1:
            shop.scale(name, 1)
        for dump in shop.dumps(name):
            dump.unlink(missing_ok=True)
    for name in SHOP:
        _toggle(shop, name, "/fault/clear")


def _set_rate(state: SandboxState, rate: float) -> None:
    tmp = state.directory / "load.tmp"
    tmp.write_text(json.dumps({"rate": rate}))
    tmp.replace(state.directory / "load.json")


def _toggle(shop: Shop, service: str, path: str) -> None:
    for replica in shop.services()[service].replicas:
        for _ in range(3):
            try:
                httpx.get(f"http://127.0.0.1:{replica.port}{path}", timeout=5.0)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
