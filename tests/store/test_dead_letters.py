"""The dead-letter table stays bounded: retention, a cap on count and on bytes (oldest dropped
first, the newest always kept), purge, and get; on SQLite and a real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nightowl.errors import NotFoundError
from nightowl.store import IncidentStore
from nightowl.store.dead_letters import DeadLetterCap
from tests.store.samples import T0


def keep(
    store: IncidentStore, body: bytes, minutes: int, cap: DeadLetterCap, source: str = "grafana"
) -> int:
    kept = store.dead_letter(
        source=source,
        reason="bad field",
        body=body,
        content_type="application/json",
        headers={},
        received_at=T0 + timedelta(minutes=minutes),
        sender="bearer",
        cap=cap,
    )
    return kept.id


def cap(count: int = 100, size: int = 1 << 30, days: float = 30) -> DeadLetterCap:
    return DeadLetterCap(max_count=count, max_bytes=size, keep_after=T0 - timedelta(days=days))


def test_beyond_the_count_cap_the_oldest_go_first(store: IncidentStore) -> None:
    ids = [keep(store, b"x", n, cap(count=3)) for n in range(5)]

    assert [d.id for d in store.list_dead_letters()] == ids[:1:-1]


def test_beyond_the_byte_cap_the_oldest_go_and_the_newest_stays(store: IncidentStore) -> None:
    small = cap(size=2500)
    ids = [keep(store, bytes(1000), n, small) for n in range(4)]
    assert [d.id for d in store.list_dead_letters()] == [ids[3], ids[2]]

    huge = keep(store, bytes(5000), 10, small)  # over the cap alone: still kept, alone

    assert [d.id for d in store.list_dead_letters()] == [huge]


def test_rows_past_the_retention_are_dropped_by_the_next_add(store: IncidentStore) -> None:
    old = keep(store, b"old", 0, cap())
    later = DeadLetterCap(max_count=100, max_bytes=1 << 30, keep_after=T0 + timedelta(minutes=5))

    new = keep(store, b"new", 10, later)

    assert [d.id for d in store.list_dead_letters()] == [new]
    assert old != new


def test_purge_drops_what_is_older_and_get_reads_one(store: IncidentStore) -> None:
    first, second = keep(store, b"a", 0, cap()), keep(store, b"b", 60, cap(), source="datadog")

    assert store.purge_dead_letters(T0 + timedelta(minutes=30)) == 1

    letter = store.get_dead_letter(second)
    assert (letter.body, letter.source, letter.sender) == (b"b", "datadog", "bearer")
    with pytest.raises(NotFoundError, match="nightowl deadletter list"):
        store.get_dead_letter(first)
