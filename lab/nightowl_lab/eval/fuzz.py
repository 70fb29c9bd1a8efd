"""``nightowl bench fuzz``: hostile and generated requests against a real ``nightowl serve``.

The server runs as a child process on a free loopback port with a temporary SQLite data dir, so a
crash is a crash (the process is gone; it is counted, restarted and the run goes on) and its
memory is its own: ``max_rss_mib`` is the kernel's peak resident size of the server (``VmHWM``).
Every answer is classified by status; dead letters are counted from the store afterwards. A
request that does not complete within the timeout is counted apart (``timeouts``): a stalled event
loop, not a crash. The figure measures whatever the tree does; the target is 0 × 5xx, 0 crashes.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import yaml
from sqlalchemy import create_engine, func, select

from nightowl.domain.base import Model
from nightowl.store.tables import DeadLetterRow
from nightowl_lab.eval.fuzz_cases import hostile
from nightowl_lab.eval.fuzz_payloads import API_TOKEN, TOKEN, Case, generated
from nightowl_lab.harness.server import ServerProcess

Progress = Callable[[int, int], None]
KEPT_LABELS = 50


class FuzzResult(Model):
    """The figure (first six fields) and what explains it."""

    requests: int
    answered_4xx: int
    answered_5xx: int
    dead_lettered: int
    crashes: int
    max_rss_mib: float
    answered_2xx: int = 0
    timeouts: int = 0
    seconds: float = 0.0
    statuses: dict[str, int] = {}
    five_xx: list[str] = []
    five_xx_by_target: dict[str, int] = {}
    crashed_on: list[str] = []
    timed_out: list[str] = []


class _Tally:
    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.five_xx: list[str] = []
        self.five_xx_by_target: Counter[str] = Counter()
        self.crashed_on: list[str] = []
        self.timed_out: list[str] = []
        self.peak_kib = 0

    def answer(self, case: Case, status: int) -> None:
        self.statuses[status] += 1
        if status >= 500:
            self.five_xx.append(f"{status} {case.label}")
            self.five_xx_by_target[case.label.split(":")[0]] += 1


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident set (Linux ``VmHWM``), 0 where /proc is not available."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _config(directory: Path) -> Path:
    config = directory / "nightowl.yaml"
    settings = {
        "data_dir": str(directory / "data"),
        "webhooks": {"tokens": {"*": [TOKEN]}},
        "api": {"users": {"fuzz": API_TOKEN}},
    }
    config.write_text(yaml.safe_dump(settings))
    return config


async def _send(
    client: httpx.AsyncClient, server: ServerProcess, case: Case, tally: _Tally
) -> bool:
    """Send one case; False when the server died on it."""
    try:
        response = await client.post(
            server.url + case.path, content=case.body, headers=case.headers
        )
    except httpx.TimeoutException:
        tally.timed_out.append(case.label)
        return server.process is not None and server.process.poll() is None
    except httpx.TransportError:
        alive = server.process is not None and server.process.poll() is None
        if alive:  # the server closed this connection (e.g. on a body over its cap) and lives on
            tally.statuses[0] += 1
        return alive
    tally.answer(case, response.status_code)
    return True


async def _drive(
    cases: list[Case], server: ServerProcess, tally: _Tally, timeout: float, progress: Progress
) -> None:
    """Send every case in order, one at a time: a crash is pinned on the request that caused it."""
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        for n, case in enumerate(cases, start=1):
            if not await _send(client, server, case, tally):
                tally.crashed_on.append(case.label)
                assert server.process is not None
                tally.peak_kib = max(tally.peak_kib, peak_rss_kib(server.process.pid))
                server.stop()
                await asyncio.to_thread(server.start)
            if server.process is not None:
                tally.peak_kib = max(tally.peak_kib, peak_rss_kib(server.process.pid))
            progress(n, len(cases))


def _dead_letters(database: Path) -> int:
    if not database.exists():
        return 0
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count(DeadLetterRow.id))).scalar_one())
    finally:
        engine.dispose()


def cases_for(per_target: int, at_seed: int) -> list[Case]:
    """The fixed hostile cases, then ``per_target`` generated payloads per source and API body."""
    return hostile() + generated(per_target, at_seed)


async def run(
    per_target: int, at_seed: int, progress: Progress, *, timeout: float = 20.0
) -> FuzzResult:
    cases = await asyncio.to_thread(cases_for, per_target, at_seed)
    tally = _Tally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nightowl-fuzz-") as tmp:
        directory = Path(tmp)
        server = await asyncio.to_thread(ServerProcess(_config(directory)).start)
        try:
            await _drive(cases, server, tally, timeout, progress)
        finally:
            if server.process is not None:
                tally.peak_kib = max(tally.peak_kib, peak_rss_kib(server.process.pid))
            server.stop()
        dead = _dead_letters(directory / "data" / "nightowl.sqlite")
    return _result(len(cases), tally, dead, time.monotonic() - started)


def _result(requests: int, tally: _Tally, dead: int, seconds: float) -> FuzzResult:
    by_class = Counter(status // 100 for status in tally.statuses.elements())
    return FuzzResult(
        requests=requests,
        answered_4xx=by_class[4],
        answered_5xx=by_class[5],
        dead_lettered=dead,
        crashes=len(tally.crashed_on),
        max_rss_mib=round(tally.peak_kib / 1024, 1),
        answered_2xx=by_class[2],
        timeouts=len(tally.timed_out),
        seconds=round(seconds, 1),
        statuses={str(k): v for k, v in sorted(tally.statuses.items())},
        five_xx=tally.five_xx[:KEPT_LABELS],
        five_xx_by_target=dict(tally.five_xx_by_target.most_common()),
        crashed_on=tally.crashed_on[:KEPT_LABELS],
        timed_out=tally.timed_out[:KEPT_LABELS],
    )
