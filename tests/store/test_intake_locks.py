"""Intake's per-group locks: batches of different groups pass each other on a real PostgreSQL,
batches of one group queue and keep its counters exact (both backends), and a new alert raced
by another transaction is new once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from nightowl.domain import Alert
from nightowl.intake.absorb import absorb, group_key_of, group_labels
from nightowl.intake.service import Intake
from nightowl.settings import IntakeSettings
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.store import create_engine_for, migrate
from nightowl.store.groups import GroupStore
from nightowl.store.intake import load_states, upsert_states
from nightowl.store.intake_locks import (
    FINE_LIMIT,
    GROUP_CLASS,
    INTAKE_CLASS,
    intake_locks,
    lock,
    lock_key,
)
from nightowl.store.intake_tables import AlertGroupRow
from nightowl.store.silences import SilenceStore
from nightowl.store.tables import AlertRow

T0 = datetime(2026, 11, 20, 3, 2, 5, tzinfo=UTC)
SETTINGS = IntakeSettings(group_wait_seconds=30)  # groups wait: their counters stay visible


def alerts(group: int, pods: Iterable[int], service: str | None = None) -> list[Alert]:
    """Firing alerts of group ``group`` (its own ``alertname``), one per pod."""
    body = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": f"Lock{group}",
                    "service": service or f"svc-{group}",
                    "pod": f"p-{n}",
                },
                "annotations": {"summary": "locking"},
                "startsAt": "2026-11-20T03:02:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
            }
            for n in pods
        ],
    }
    return list(AlertmanagerSource().parse(json.dumps(body).encode(), {}).alerts)


def group_of(alert: Alert) -> str:
    return group_key_of(group_labels(alert.labels, SETTINGS.group_by))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def intake_on(engine: Engine) -> Intake:
    return Intake(SETTINGS, GroupStore(engine), SilenceStore(engine), lambda: T0)


def test_a_batch_of_few_groups_shares_the_intake_lock_and_locks_each_group_once_in_order() -> None:
    locks = intake_locks(["g-2", "g-1", "g-2"])

    assert locks[0] == (INTAKE_CLASS, 0, True)
    assert [c for c, _, _ in locks[1:]] == [GROUP_CLASS] * 2
    assert locks == sorted(locks)
    assert not any(shared for _, _, shared in locks[1:])
    assert {k for _, k, _ in locks[1:]} == {lock_key(t) for t in ("g-1", "g-2")}
    assert all(-(2**31) <= k < 2**31 for _, k, _ in locks)  # PostgreSQL's int4
    assert lock_key("g-1") == lock_key("g-1") != lock_key("g-2")


def test_a_batch_of_many_groups_takes_the_intake_lock_alone_and_exclusive() -> None:
    groups = [f"g-{n}" for n in range(FINE_LIMIT + 1)]

    assert intake_locks(groups) == [(INTAKE_CLASS, 0, False)]
    assert len(intake_locks(groups[1:])) == 1 + FINE_LIMIT


def test_a_batch_of_one_group_takes_one_lock_however_many_alerts_it_carries() -> None:
    """An Alertmanager notification is one group: its hundred alerts lock that group only, so
    notifications of other groups (on this replica or another) are written side by side."""
    keys = {group_of(a) for a in alerts(7, range(100))}

    assert len(keys) == 1
    assert intake_locks(keys) == [(INTAKE_CLASS, 0, True), (GROUP_CLASS, lock_key(*keys), False)]


def many_groups(count: int) -> list[Alert]:
    """One alert in each of ``count`` groups (100, 101, …): a batch too spread for group locks."""
    return [a for g in range(100, 100 + count) for a in alerts(g, [0])]


def pending(engine: Engine, group: int) -> int:
    key = group_of(alerts(group, [0])[0])
    with GroupStore(engine).write() as session:
        row = session.get(AlertGroupRow, key)
        assert row is not None
        return row.pending


def test_concurrent_batches_of_one_group_keep_its_counter_exact(engine: Engine) -> None:
    intake, threads, per = intake_on(engine), 6, 10
    start = threading.Barrier(threads)

    def batch(i: int) -> list[str]:
        start.wait()
        group = i % 2  # three batches for each of two groups, all at once
        return intake.ingest_now(alerts(group, range(i * per, (i + 1) * per))).verdicts

    with ThreadPoolExecutor(threads) as pool:
        verdicts = [v for vs in pool.map(batch, range(threads)) for v in vs]

    assert verdicts == ["new"] * threads * per
    assert pending(engine, 0) == pending(engine, 1) == threads // 2 * per


def waiting_for_a_lock(engine: Engine) -> int:
    """Backends of this database waiting for an advisory lock."""
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.postgres
def test_a_held_group_lock_stops_its_own_group_and_large_batches_only(postgres_url: str) -> None:
    """While one transaction holds group A (a flush or batch of A in progress), a batch of group B
    goes through at once; a batch of A waits, and so does a batch of too many groups for group
    locks (it takes the intake-wide lock exclusive); both complete once A is released."""
    engine = create_engine_for(postgres_url)
    migrate(engine)
    intake = intake_on(engine)
    intake.ingest_now(alerts(0, [0]))  # group A exists, one alert pending
    key_a = group_of(alerts(0, [0])[0])
    pool = ThreadPoolExecutor(3)
    try:
        with GroupStore(engine).write() as holder:
            lock(holder, intake_locks([key_a]))
            other = pool.submit(intake.ingest_now, alerts(1, range(5)))
            assert other.result(timeout=120).verdicts == ["new"] * 5  # not held up by A
            same = pool.submit(intake.ingest_now, alerts(0, range(1, 4)))
            large = pool.submit(intake.ingest_now, many_groups(FINE_LIMIT + 1))
            assert wait_until(lambda: waiting_for_a_lock(engine) == 2)
            assert not same.done()
            assert not large.done()
        assert same.result(timeout=120).verdicts == ["new"] * 3
        assert large.result(timeout=120).verdicts == ["new"] * (FINE_LIMIT + 1)
    finally:
        pool.shutdown(wait=True)
    assert (pending(engine, 0), pending(engine, 1), pending(engine, 100)) == (4, 5, 1)
    engine.dispose()


def test_concurrent_batches_attaching_to_one_incident_all_commit(engine: Engine) -> None:
    """Batches of four groups that joined one open incident run at once (on PostgreSQL side by
    side): each inserts alerts (for the foreign key, a key-share lock on the incident), then
    sets the incident's ``updated_at``; none may deadlock another, and every alert joins."""
    now = [T0]
    intake = Intake(SETTINGS, GroupStore(engine), SilenceStore(engine), lambda: now[0])
    keys = [group_of(alerts(g, [0], "shop")[0]) for g in range(4)]
    for group in range(4):
        intake.ingest_now(alerts(group, [0], "shop"))
    now[0] += timedelta(seconds=SETTINGS.group_wait_seconds)
    flushed = [intake.flush(key) for key in keys]
    incidents = {r.incident_id for r in flushed if r is not None}
    assert len(incidents) == 1  # one service: the later groups joined the first one's incident
    start = threading.Barrier(4)

    rounds = 3  # of four racing batches, ten new alerts each

    def batch(group: int, round_: int) -> set[str]:
        start.wait()
        pods = range(1 + 10 * round_, 11 + 10 * round_)
        return intake.ingest_now(alerts(group, pods, "shop")).incidents

    for round_ in range(rounds):
        with ThreadPoolExecutor(4) as pool:
            assert [*pool.map(batch, range(4), [round_] * 4)] == [incidents] * 4
    with GroupStore(engine).write() as session:
        count = session.scalar(
            select(func.count()).select_from(AlertRow).where(AlertRow.incident_id.in_(incidents))
        )
    assert count == 4 + 4 * 10 * rounds


def waiting_for_a_row(engine: Engine) -> int:
    """Backends of this server waiting for another transaction to end (a unique-index wait)."""
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted")
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


@pytest.mark.postgres
def test_a_new_alert_another_transaction_inserted_first_is_not_new_twice(
    postgres_url: str,
) -> None:
    """No lock covers a fingerprint: while another transaction holds the state of a new alert
    it inserted (uncommitted, so a batch reads no state and takes the alert for new), the batch's
    insert waits for it; when it commits, the batch finds the row taken, is run again, and now
    counts the delivery as the duplicate it is — the state is one row, received once."""
    engine = create_engine_for(postgres_url)
    migrate(engine)
    intake = intake_on(engine)
    [alert] = alerts(3, [0])
    first, _verdict, _labels = absorb(alert, None, T0, SETTINGS, [])
    with ThreadPoolExecutor(1) as pool:
        with GroupStore(engine).write() as holder:
            upsert_states(holder, [first])
            holder.flush()
            racing = pool.submit(intake.ingest_now, [alert])
            assert wait_until(lambda: waiting_for_a_row(engine) == 1)
            assert not racing.done()
        assert racing.result(timeout=120).verdicts == ["duplicate"]
    with GroupStore(engine).write() as session:
        [state] = load_states(session, [alert.fingerprint]).values()
    assert (state.received, state.duplicates) == (1, 1)
    engine.dispose()
