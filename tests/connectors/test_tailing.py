"""A live tail from repeated searches: new records oldest first, each exactly once, including
records that share the last timestamp, across polls while the backend keeps writing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from nightowl.connectors.protocols import LogQuery
from nightowl.connectors.tailing import poll_tail
from nightowl.domain import LogLevel, LogRecord
from nightowl.testing.sources import FakeLogs

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def line(seconds: int, message: str, service: str = "checkout") -> LogRecord:
    return LogRecord(
        timestamp=T0 + timedelta(seconds=seconds),
        service=service,
        level=LogLevel.ERROR,
        message=message,
    )


def test_each_record_comes_once_oldest_first_while_the_backend_writes() -> None:
    backend = FakeLogs([line(1, "a"), line(2, "b")])
    clock = iter(T0 + timedelta(seconds=s) for s in range(10, 100, 10))
    writes = {2: [line(2, "b-same-second"), line(5, "c")], 3: [line(15, "d")]}
    polls = 0

    async def search(query: LogQuery) -> list[LogRecord]:
        nonlocal polls
        polls += 1
        backend.records.extend(writes.get(polls, []))
        return await backend.search(query)

    async def first(n: int) -> list[str]:
        seen: list[str] = []
        tail = poll_tail(search, LogQuery(start=T0, end=T0), interval=0, now=lambda: next(clock))
        async for record in tail:
            seen.append(record.message)
            if len(seen) == n:
                break
        return seen

    assert asyncio.run(first(5)) == ["a", "b", "b-same-second", "c", "d"]


def test_the_query_filters_apply_to_every_poll() -> None:
    backend = FakeLogs([line(1, "mine"), line(2, "theirs", service="cart"), line(3, "mine too")])

    async def first(n: int) -> list[str]:
        query = LogQuery(service="checkout", start=T0, end=T0)
        out: list[str] = []
        later = T0 + timedelta(minutes=1)
        async for record in poll_tail(backend.search, query, interval=0, now=lambda: later):
            out.append(record.message)
            if len(out) == n:
                break
        return out

    assert asyncio.run(first(2)) == ["mine", "mine too"]
