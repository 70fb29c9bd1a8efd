"""One generic shop service, configured by flags: name, version, port, downstreams, capacity.

``python -m nightowl_lab.sandbox.services.app --name checkout --version v1 --port 9101
--downstream payments:9203:1.0 --workers 4 --work-ms 20 --log-file checkout.log``

A request takes one of ``--workers`` slots for ``--work-ms`` (a pool of blocking workers, so load
beyond capacity queues and latency climbs), then calls each downstream with its probability; a
failed downstream call fails the request (502). ``--error-rate`` is a version's bug: that share of
requests raises. A call to a downstream that takes longer than ``--call-timeout`` seconds is
abandoned (the client's timeout) and fails the request with 504.

Faults are toggled at runtime: ``/fault/leak`` (retain ~1 MiB a second, like a cache with no
eviction), ``/fault/slow?ms=N`` (every request takes N ms more), ``/fault/hog`` (a
runaway thread spins on the CPU inside the process, competing with the requests for the
interpreter), ``/fault/pool-leak`` (calls to downstreams stop returning their connection to the
bounded pool, so the pool empties and requests fail with "connection pool exhausted"),
``/fault/disk`` (a runaway export fills the service's volume with dump files), ``/fault/clear``
(the toggles; files written stay until cleaned up). ``--crash-at-start`` is a bad build that
logs a fatal error and exits with code 1 before it listens.

Each downstream has a pool of ``--pool-size`` connection slots: a call holds one for its duration
and waits at most ``POOL_WAIT`` seconds for one. Each request appends a record to the service's
volume, ``--data-dir`` (a directory of the sandbox), whose size is ``--disk-mib`` (a quota the
service enforces, as a volume of that size would: a write that does not fit fails with ENOSPC).
Serves Prometheus metrics on ``/metrics`` and writes JSON log lines to ``--log-file``.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import os
import random
import resource
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from nightowl_lab.sandbox.services.http import TIMED_OUT, get, serve

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PAGE = os.sysconf("SC_PAGE_SIZE")
POOL_WAIT = 0.25
"""Seconds a request waits for a pooled connection before it fails."""
RECORD = 512
"""Bytes each request appends to the service's volume."""
DUMP = 4 * 1024 * 1024
"""Bytes of each dump file the runaway export writes."""


@dataclass
class Pool:
    """A bounded pool of connection slots to one downstream; leaked slots never come back."""

    name: str
    size: int
    in_use: int = 0
    leaking: bool = False
    freed: asyncio.Event = field(default_factory=asyncio.Event)

    async def acquire(self) -> bool:
        """Take a slot, waiting up to ``POOL_WAIT`` seconds for one to free; False when none did."""
        deadline = time.monotonic() + POOL_WAIT
        while self.in_use >= self.size:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.freed.clear()
            try:
                async with asyncio.timeout(left):
                    await self.freed.wait()
            except TimeoutError:
                return False
        self.in_use += 1
        return True

    def release(self) -> None:
        """Give the slot back, unless the pool is leaking (the injected bug keeps it)."""
        if self.leaking:
            return  # the bug: the connection is never returned
        self.in_use = max(0, self.in_use - 1)
        self.freed.set()


@dataclass
class State:
    """Everything one service process knows: its identity and log, the request counts and latency
    histogram it exports, the faults switched on, its downstream pools and its disk. One per
    process, used from its event loop only.
    """

    name: str
    version: str
    log: TextIO
    # Every code pre-set to 0, so a 5xx ratio is 0 (not absent) when nothing fails.
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys((200, 500, 502, 504), 0))
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: float = 0.0
    observed: int = 0
    leak: bool = False
    slow_ms: int = 0
    hog: bool = False
    retained: list[bytearray] = field(default_factory=list)
    pools: dict[str, Pool] = field(default_factory=dict)
    data_dir: Path | None = None
    disk_size: int = 0
    disk_used: int = 0
    filling: bool = False

    def emit(self, level: str, message: str, **extra: object) -> None:
        """Append one JSON log line (time, level, service, version, message and any extra
        fields).
        """
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
        """Count one answered request by status code and latency bucket."""
        self.counts[code] = self.counts.get(code, 0) + 1
        self.total += seconds
        self.observed += 1
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.buckets[i] += 1

    def metrics(self) -> str:
        """The Prometheus text exposition of the counters, histogram, memory and disk."""
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
        out.append("# TYPE connection_pool_in_use gauge")
        for pool in self.pools.values():
            plabels = f'{labels},pool="{pool.name}"'
            out.append(f"connection_pool_in_use{{{plabels}}} {pool.in_use}")
            out.append(f"connection_pool_max{{{plabels}}} {pool.size}")
        if self.data_dir is not None:
            out.append(f"disk_used_bytes{{{labels}}} {self.disk_used}")
            out.append(f"disk_size_bytes{{{labels}}} {self.disk_size}")
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
    p.add_argument("--pool-size", type=int, default=8)
    p.add_argument("--call-timeout", type=float, default=1.0, help="seconds per downstream call")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--disk-mib", type=int, default=64)
    p.add_argument("--crash-at-start", action="store_true", help="a bad build: exit at start-up")
    return p.parse_args()


async def _leak(state: State) -> None:
    while True:
        await asyncio.sleep(0.25)
        if state.leak:
            block = bytearray(256 * 1024)
            block[::4096] = b"x" * len(block[::4096])  # touch every page so RSS grows
            state.retained.append(block)


def _usage(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())


async def _disk(state: State) -> None:
    """Keep the volume's usage current; while the export runs, write dump files until it is full."""
    assert state.data_dir is not None
    dumps = state.data_dir / "tmp"
    while True:
        state.disk_used = await asyncio.to_thread(_usage, state.data_dir)
        if state.filling:
            room = state.disk_size - state.disk_used
            if room <= 0:
                state.filling = False
                state.emit("ERROR", f"export to {dumps} failed: [Errno 28] No space left on device")
            else:
                dumps.mkdir(parents=True, exist_ok=True)
                name = dumps / f"export-{time.time_ns()}.dump"
                await asyncio.to_thread(name.write_bytes, b"\0" * min(DUMP, room))
        await asyncio.sleep(0.5)


def _record(state: State) -> None:
    """Append this request's record to the volume; OSError ENOSPC when it does not fit."""
    if state.data_dir is None:
        return
    if state.disk_used + RECORD > state.disk_size:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(state.data_dir / "orders.log"))
    journal = state.data_dir / "orders.log"
    with journal.open("ab") as out:
        out.write(b"r" * (RECORD - 1) + b"\n")
    if journal.stat().st_size > 256 * 1024:
        journal.unlink()  # rotated: the volume's normal usage stays small
    state.disk_used += RECORD


def _hog(state: State) -> None:
    """A runaway loop: spins while the fault is on (it holds the interpreter most of the time)."""
    while state.hog:
        sum(i * i for i in range(10_000))


async def main() -> None:
    """Run the service: parse the flags, crash at start if told to, then serve HTTP until
    stopped.
    """
    args = _args()
    state = State(args.name, args.version, open(args.log_file, "a"))  # noqa: SIM115
    state.pools = {name: Pool(name, args.pool_size) for name, _, _ in args.downstream}
    if args.crash_at_start:
        message = (
            f"fatal error: {args.name} {args.version} cannot start: required configuration key "
            "'payments.currency_table' is missing; exited with code 1"
        )
        state.emit("ERROR", message, exception="ConfigError")
        print(message, file=sys.stderr)
        raise SystemExit(1)
    if args.data_dir:
        state.data_dir = Path(args.data_dir)
        state.data_dir.mkdir(parents=True, exist_ok=True)
        state.disk_size = args.disk_mib * 1024 * 1024
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
    tasks = [asyncio.create_task(_leak(state))]
    if state.data_dir is not None:
        tasks.append(asyncio.create_task(_disk(state)))
    async with server:
        await server.serve_forever()
    for task in tasks:
        task.cancel()


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
    try:
        _record(state)
    except OSError as exc:
        state.emit("ERROR", f"writing the order record failed: {exc}", exception="OSError")
        return 500
    for name, port, share in args.downstream:
        if rng.random() >= share:
            continue
        pool = state.pools[name]
        if not await pool.acquire():
            state.emit(
                "ERROR",
                f"connection pool exhausted: timeout acquiring connection to {name} "
                f"({pool.in_use}/{pool.size} in use)",
                downstream=name,
            )
            return 500
        try:
            status = await get(port, "/", timeout=args.call_timeout)
        finally:
            pool.release()
        if status == TIMED_OUT:
            state.emit(
                "ERROR",
                f"upstream request timeout: call to {name} timed out after "
                f"{args.call_timeout * 1000:.0f} ms",
                downstream=name,
            )
            return 504
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
    elif what == "hog" and not state.hog:
        state.hog = True
        threading.Thread(target=_hog, args=(state,), daemon=True).start()
    elif what == "pool-leak":
        for pool in state.pools.values():
            pool.leaking = True
    elif what == "disk":
        state.filling = state.data_dir is not None
    elif what == "clear":
        state.leak, state.slow_ms, state.hog, state.filling = False, 0, False, False
        for pool in state.pools.values():
            pool.leaking, pool.in_use = False, 0  # every leaked connection closed
            pool.freed.set()
    state.emit("WARN", f"fault toggled: {what} {query}".strip())
    return json.dumps({"leak": state.leak, "slow_ms": state.slow_ms, "hog": state.hog})


if __name__ == "__main__":
    asyncio.run(main())
