"""Intake persistence on every backend (SQLite and a real PostgreSQL): duplicates counted,
updates recorded, groups flushed into incidents, and concurrent batches that lose nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nightowl.domain import Alert, AlertState, AlertStatus
from nightowl.domain.intake import FlushResult
from nightowl.intake.service import Intake
from nightowl.settings import IntakeSettings
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.store import IncidentStore, create_engine_for, migrate
from nightowl.store.groups import GroupStore
from nightowl.store.intake import load_states
from nightowl.store.intake_tables import AlertGroupRow, AlertStateRow
from nightowl.store.silences import SilenceStore

T0 = datetime(2026, 11, 20, 3, 2, 5, tzinfo=UTC)
THREADS = 6


GRAPH = "https://prometheus.example/graph?g0.expr=p99%3E2"


def alerts(count: int, status: str = "firing", summary: str = "p99 above 2s") -> list[Alert]:
    body = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": status,
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "HighLatency", "service": "checkout", "pod": f"p-{n}"},
                "annotations": {"summary": summary},
                "startsAt": "2026-11-20T03:02:00Z",
                "generatorURL": GRAPH,
                "endsAt": "2026-11-20T03:40:00Z"
                if status == "resolved"
                else "0001-01-01T00:00:00Z",
            }
            for n in range(count)
        ],
    }
    return list(AlertmanagerSource().parse(json.dumps(body).encode(), {}).alerts)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def intake(database_url: str) -> Iterator[tuple[Intake, IncidentStore, Clock]]:
    engine = create_engine_for(database_url)
    migrate(engine)
    store = IncidentStore(engine)
    clock = Clock()
    intake = Intake(
        IntakeSettings(group_wait_seconds=0), GroupStore(engine), SilenceStore(engine), clock
    )
    yield intake, store, clock
    store.close()


def states(intake: Intake) -> dict[str, AlertState]:
    with intake.groups.write() as session:
        fingerprints = list(session.scalars(select(AlertStateRow.fingerprint)))
        return load_states(session, fingerprints)


def test_a_repeat_is_a_counted_duplicate_and_a_change_an_update(intake: Any) -> None:
    intake_, _, clock = intake
    first = intake_.ingest_now(alerts(3))
    clock.now += timedelta(minutes=1)
    again = intake_.ingest_now(alerts(3))
    clock.now += timedelta(minutes=1)
    changed = intake_.ingest_now(alerts(3, summary="p99 above 3s"))

    assert first.verdicts == ["new"] * 3
    assert (again.verdicts, again.counts.duplicates) == (["duplicate"] * 3, 3)
    assert (changed.verdicts, changed.counts.updated) == (["updated"] * 3, 3)
    for state in states(intake_).values():
        assert (state.received, state.duplicates) == (2, 1)
        assert state.annotations["summary"] == "p99 above 3s"
        assert state.first_seen == T0
        assert state.last_seen == T0 + timedelta(minutes=2)


def test_a_flushed_group_opens_an_incident_with_every_alert(intake: Any) -> None:
    intake_, store, _ = intake

    outcome = intake_.ingest_now(alerts(3))
    [opened] = [r for k in outcome.due_groups if (r := intake_.flush(k))]

    assert opened.kind == "opened"
    incident = store.get(str(opened.incident_id))
    assert len(incident.alerts) == 3
    assert {s.incident_id for s in states(intake_).values()} == {incident.id}
    assert intake_.flush(opened.group_key) is None  # flushed exactly once


def test_the_alert_link_reaches_the_incident_through_the_state(intake: Any) -> None:
    """``generatorURL`` was parsed, then dropped between the alert state and the incident."""
    intake_, store, _ = intake

    outcome = intake_.ingest_now(alerts(2))
    [opened] = [r for k in outcome.due_groups if (r := intake_.flush(k))]

    incident = store.get(str(opened.incident_id))
    assert {a.generator_url for a in incident.alerts} == {GRAPH}
    assert incident.alert_links == (GRAPH,)
    assert {s.generator_url for s in states(intake_).values()} == {GRAPH}


def test_the_resolution_is_recorded_on_the_incident(intake: Any) -> None:
    intake_, store, clock = intake
    outcome = intake_.ingest_now(alerts(2))
    [opened] = [r for k in outcome.due_groups if (r := intake_.flush(k))]
    clock.now += timedelta(minutes=30)

    resolved = intake_.ingest_now(alerts(2, status="resolved"))

    assert resolved.verdicts == ["updated", "updated"]
    assert resolved.all_resolved == {opened.incident_id}
    incident = store.get(str(opened.incident_id))
    assert [a.status for a in incident.alerts].count(AlertStatus.RESOLVED) == 2
    assert all(s.status is AlertStatus.RESOLVED for s in states(intake_).values())


def concurrently(intake: Intake, batch: list[Alert]) -> list[list[str]]:
    """Ingest the same batch from THREADS threads at once; return each thread's verdicts."""
    start = threading.Barrier(THREADS)
    verdicts: list[list[str]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            verdicts.append(intake.ingest_now(batch).verdicts)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(verdicts) == THREADS
    return verdicts


def test_concurrent_batches_keep_one_state_per_alert_and_lose_no_resolve(intake: Any) -> None:
    intake_, store, clock = intake
    count = 20

    fired = concurrently(intake_, alerts(count))
    clock.now += timedelta(minutes=5)
    resolved = concurrently(intake_, alerts(count, status="resolved"))

    flat_fired = [v for vs in fired for v in vs]
    flat_resolved = [v for vs in resolved for v in vs]
    assert flat_fired.count("new") == count  # each alert is new exactly once
    assert flat_fired.count("duplicate") == count * (THREADS - 1)
    assert flat_resolved.count("updated") == count  # each resolve is applied exactly once
    assert flat_resolved.count("duplicate") == count * (THREADS - 1)
    with Session(store.engine) as session:
        rows = session.scalar(select(func.count()).select_from(AlertStateRow))
    assert rows == count
    for state in states(intake_).values():
        assert state.status is AlertStatus.RESOLVED
        assert state.received == 2
        assert state.duplicates == 2 * (THREADS - 1)
        assert state.ends_at == datetime(2026, 11, 20, 3, 40, tzinfo=UTC)


def race(*calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` in threads released together; their results, in order."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            start.wait()
            results[i] = calls[i]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_a_flush_and_an_ingest_racing_on_one_group_keep_its_incident(intake: Any) -> None:
    """A flush attaches the group to its incident while a batch for the same group is being
    ingested: whichever commits second must see the other's write (the group keeps its incident,
    and the batch's alerts join it), never overwrite it."""
    intake_, store, _ = intake
    for round_ in range(12):
        [key] = intake_.ingest_now(alerts_for(round_, [0])).due_groups
        batch = alerts_for(round_, range(1, 30))

        opened, _ = race(partial(intake_.flush, key), partial(intake_.ingest_now, batch))

        assert isinstance(opened, FlushResult)
        with intake_.groups.write() as session:
            group = session.get(AlertGroupRow, key)
            assert group is not None
            assert group.incident_id == opened.incident_id  # not overwritten by the batch
        for due in intake_.groups.due(T0 + timedelta(days=1)):
            intake_.flush(due)
        incident = store.get(str(opened.incident_id))
        assert len(incident.alerts) == 30  # every alert of the group joined the one incident


def alerts_for(round_: int, pods: Iterable[int]) -> list[Alert]:
    """Firing alerts of one group per round (``alertname`` differs), one per pod."""
    body = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": f"Race{round_}",
                    "service": f"svc-{round_}",
                    "pod": f"p-{n}",
                },
                "annotations": {"summary": "racing"},
                "startsAt": "2026-11-20T03:02:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
            }
            for n in pods
        ],
    }
    return list(AlertmanagerSource().parse(json.dumps(body).encode(), {}).alerts)
