"""The incident store's dead letters (kept byte-exact, replay marked) and its concurrent writers (one
incident row, one alert row however many threads race), on SQLite and a real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from nightowl.errors import NotFoundError
from nightowl.store import AddAlertsResult, IncidentStore
from nightowl.store.dead_letters import DeadLetterCap
from tests.store.samples import T0, make_alert, make_incident

ROOMY = DeadLetterCap(max_count=100, max_bytes=1 << 30, keep_after=T0 - timedelta(days=1))


def test_dead_letters_keep_bytes_exactly(store: IncidentStore) -> None:
    body = b"\xff\xfe not utf-8 \x00\xc3\x28" + bytes(range(256))
    first = store.dead_letter(
        source="alertmanager",
        reason="not JSON",
        body=body,
        content_type="application/json",
        headers={"X-Request-Id": "r1", "Content-Type": "application/json"},
        received_at=T0,
        sender="bearer",
        cap=ROOMY,
    ).id
    second = store.dead_letter(
        source="grafana", reason="bad field", body=b"", content_type=None, headers={},
        received_at=T0 + timedelta(seconds=1), sender="basic:ci", cap=ROOMY,
    ).id  # fmt: skip
    letters = store.list_dead_letters()
    assert [letter.id for letter in letters] == [second, first]
    kept = letters[1]
    assert kept.body == body
    assert (kept.source, kept.reason, kept.content_type) == (
        "alertmanager",
        "not JSON",
        "application/json",
    )
    assert kept.headers == {"X-Request-Id": "r1", "Content-Type": "application/json"}
    assert kept.replayed_at is None
    assert [letter.id for letter in store.list_dead_letters(limit=1)] == [second]

    store.mark_replayed(first, T0 + timedelta(hours=1))
    replayed = {letter.id: letter.replayed_at for letter in store.list_dead_letters()}
    assert replayed == {first: T0 + timedelta(hours=1), second: None}
    with pytest.raises(NotFoundError):
        store.mark_replayed(99999, T0)


def run_together(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` on ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_create_incident_makes_one_row(store: IncidentStore) -> None:
    results = run_together(
        8,
        lambda i: store.create_incident(
            incident_id="inc-race",
            correlation_key="k",
            title=f"writer {i}",
            service=None,
            severity=None,
            opened_at=T0,
        ),
    )
    assert sorted(map(repr, results)) == ["False"] * 7 + ["True"]
    assert [s.id for s in store.list()] == ["inc-race"]


def test_concurrent_duplicate_alerts_are_recorded_once(store: IncidentStore) -> None:
    make_incident(store)
    results = run_together(8, lambda i: store.add_alerts("inc-1", [make_alert("same")], T0))
    assert all(isinstance(r, AddAlertsResult) for r in results), results
    assert sum(r.new for r in results if isinstance(r, AddAlertsResult)) == 1
    assert store.get("inc-1").alert_count == 1
