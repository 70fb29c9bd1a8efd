"""One generic shop service, configured by flags: name, version, port, downstreams, capacity.

``python -m nightowl.sandbox.services.app --name checkout --version v1 --port 9101
--downstream payments:9203:1.0 --workers 4 --work-ms 20 --log-file checkout.log``

A request takes one of ``--workers`` slots for ``--work-ms`` (a pool of blocking workers, so load
beyond capacity queues and latency climbs), then calls each downstream with its probability; a
failed downstream call fails the request (502). ``--error-rate`` is a version's bug: that share of
requests raises. Faults are toggled at runtime: ``/fault/leak`` (retain ~1 MiB a second, like a
cache with no eviction), ``/fault/slow?ms=N`` (every request takes N ms more), ``/fault/clear``.
Serves Prometheus metrics on ``/metrics`` and writes JSON log lines to ``--log-file``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from nightowl.sandbox.services.http import get, serve

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class State:
    name: str
    version: str
    log: TextIO
    # Every code pre-set to 0, so a 5xx ratio is 0 (not absent) when nothing fails.
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys((200, 500, 502), 0))
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: float = 0.0
    observed: int = 0
    leak: bool = False
    slow_ms: int = 0
    retained: list[bytearray] = field(default_factory=list)

    def emit(self, level: str, message: str, **extra: object) -> None:
        line = {
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "service": self.name,
            "version": self.version,
            "message": message,
            **extra,
        }
        self.log.write(json.dumps(line) + "\n")
        self.log.flush()

    def observe(self, code: int, seconds: float) -> None:
        self.counts[code] = self.counts.get(code, 0) + 1
        self.total += seconds
        self.observed += 1
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.buckets[i] += 1

    def metrics(self) -> str:
        labels = f'service="{self.name}",version="{self.version}"'
        out = ["# TYPE http_requests_total counter"]
        out += [f'http_requests_total{{{labels},code="{c}"}} {n}' for c, n in self.counts.items()]
        out.append("# TYPE http_request_duration_seconds histogram")
        for bound, n in zip(BUCKETS, self.buckets, strict=True):
            out.append(f'http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {n}')
        out.append(f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {self.observed}')
        out.append(f"http_request_duration_seconds_sum{{{labels}}} {self.total}")
        out.append(f"http_request_duration_seconds_count{{{labels}}} {self.observed}")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * PAGE
        out.append(f"process_resident_memory_bytes{{{labels}}} {rss}")
        out.append(f"process_cpu_seconds_total{{{labels}}} {usage.ru_utime + usage.ru_stime}")
        out.append(f"sandbox_version_info{{{labels}}} 1")
        return "\n".join(out) + "\n"


def _downstream(text: str) -> tuple[str, int, float]:
    name, port, share = ([*text.split(":"), "1.0"])[:3]
    return name, int(port), float(share)


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--name", required=True)
    p.add_argument("--version", default="v1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--downstream", action="append", default=[], type=_downstream)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--work-ms", type=float, default=20.0)
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--log-file", required=True)
    return p.parse_args()


async def _leak(state: State) -> None:
    while True:
        await asyncio.sleep(0.25)
        if state.leak:
            block = bytearray(256 * 1024)
            block[::4096] = b"x" * len(block[::4096])  # touch every page so RSS grows
            state.retained.append(block)


async def main() -> None:
    args = _args()
    state = State(args.name, args.version, open(args.log_file, "a"))  # noqa: SIM115
    workers = asyncio.Semaphore(args.workers)
    rng = random.Random()

    async def handle(method: str, path: str) -> tuple[int, str, str]:
        if path == "/metrics":
            return 200, "text/plain; version=0.0.4", state.metrics()
        if path.startswith("/fault/"):
            return 200, "application/json", _fault(state, path)
        started = time.monotonic()
        code = await _work(state, args, workers, rng)
        state.observe(code, time.monotonic() - started)
        return code, "application/json", json.dumps({"service": args.name, "code": code})

    server = await serve(handle, args.port)
    state.emit("INFO", f"{args.name} {args.version} listening on 127.0.0.1:{args.port}")
    leaking = asyncio.create_task(_leak(state))
    async with server:
        await server.serve_forever()
    leaking.cancel()


async def _work(
    state: State, args: argparse.Namespace, workers: asyncio.Semaphore, rng: random.Random
) -> int:
    async with workers:
        await asyncio.sleep((args.work_ms + state.slow_ms) * rng.uniform(0.8, 1.2) / 1000)
    if rng.random() < args.error_rate:
        state.emit(
            "ERROR",
            f"unhandled exception in {args.name} {args.version}: KeyError 'currency' "
            "in price_with_tax",
            exception="KeyError",
        )
        return 500
    for name, port, share in args.downstream:
        if rng.random() >= share:
            continue
        status = await get(port, "/", timeout=10.0)
        if status >= 500:
            state.emit("ERROR", f"call to {name} failed with status {status}", downstream=name)
            return 502
    return 200


def _fault(state: State, path: str) -> str:
    what, _, query = path.removeprefix("/fault/").partition("?")
    if what == "leak":
        state.leak = True
    elif what == "slow":
        state.slow_ms = int(query.removeprefix("ms=") or "500")
    elif what == "clear":
        state.leak, state.slow_ms = False, 0
    state.emit("WARN", f"fault toggled: {what} {query}".strip())
    return json.dumps({"leak": state.leak, "slow_ms": state.slow_ms})


if __name__ == "__main__":
    asyncio.run(main())
