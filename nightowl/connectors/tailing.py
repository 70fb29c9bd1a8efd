"""A live tail built from repeated searches, for backends without a streaming API we can use.

``poll_tail`` searches from a cursor to now every ``interval`` seconds and yields what is new, oldest
first. Records at exactly the cursor's timestamp are remembered so that they are not yielded twice.
A search that hits ``limit`` between two polls drops the older records of that gap: poll often
enough for the volume (``poll_seconds``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogRecord

Search = Callable[[LogQuery], Awaitable[list[LogRecord]]]


def _key(record: LogRecord) -> tuple[datetime, str, str]:
    return record.timestamp, record.service, record.message


async def poll_tail(
    search: Search,
    query: LogQuery,
    *,
    interval: float,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    limit: int = 5000,
) -> AsyncIterator[LogRecord]:
    """A tail from ``search``: every ``interval`` seconds, the records since the last one
    yielded, oldest first, each exactly once (records sharing the last timestamp are remembered).
    Never ends by itself; at most ``limit`` records per poll.
    """
    cursor = query.start
    seen: set[tuple[datetime, str, str]] = set()
    while True:
        end = now()
        if end >= cursor:
            batch = await search(
                query.model_copy(update={"start": cursor, "end": end, "limit": limit})
            )
            fresh = sorted((r for r in batch if _key(r) not in seen), key=lambda r: r.timestamp)
            for record in fresh:
                yield record
            if fresh:
                cursor = fresh[-1].timestamp
                seen = {_key(r) for r in batch if r.timestamp == cursor} | {
                    _key(r) for r in fresh if r.timestamp == cursor
                }
        await asyncio.sleep(interval)
