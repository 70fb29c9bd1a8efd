"""The drivers' ledger of applied actions: one result per idempotency key, replayed as "already
applied", shared by every Ledger on the same file and safe under concurrent writers; and the
shared ledger in the database, which every worker sees (on SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from nightowl.actions.ledger import Ledger, LedgerAware, SharedLedger
from nightowl.actions.results import result
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, Risk
from nightowl.store import create_engine_for, migrate
from nightowl.store.ledger import LedgerStore

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def done(key: str, message: str = "restarted checkout") -> ActionResult:
    spec = ActionSpec(
        kind="process", service="checkout", params={}, runbook="r", risk=Risk.LOW,
        reason="test", rollback="none", idempotency_key=key,
    )  # fmt: skip
    return result(spec, "process", ActionStatus.SUCCEEDED, AT, pre={}, post={}, message=message)


def test_a_recorded_result_is_found_by_another_ledger_on_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ledger.json"  # the directory is created on the first put
    assert Ledger(path).get("k1") is None
    Ledger(path).put(done("k1"))
    found = Ledger(path).get("k1")
    assert found is not None
    assert (found.idempotency_key, found.message, found.started_at) == (
        "k1",
        "restarted checkout",
        AT,
    )
    assert Ledger(path).get("k2") is None


def test_replay_marks_the_result_as_already_applied(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.json")
    assert ledger.replay("k1") is None
    ledger.put(done("k1"))
    replayed = ledger.replay("k1")
    assert replayed is not None
    assert replayed.message == "already applied: restarted checkout"
    assert replayed.status is ActionStatus.SUCCEEDED


def test_a_second_put_under_the_same_key_replaces_the_first(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.json")
    ledger.put(done("k1", "first"))
    ledger.put(done("k1", "second"))
    found = ledger.get("k1")
    assert found is not None
    assert found.message == "second"


def _put_many(path: str, worker: int) -> None:
    ledger = Ledger(Path(path))
    for i in range(20):
        ledger.put(done(f"w{worker}-{i}"))


def test_concurrent_writers_in_separate_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_put_many, args=(str(path), w)) for w in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    ledger = Ledger(path)
    missing = [f"w{w}-{i}" for w in range(3) for i in range(20) if ledger.get(f"w{w}-{i}") is None]
    assert missing == []


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared' / 'nightowl.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def worker_ledger(url: str, data_dir: Path) -> tuple[SharedLedger, Engine]:
    """What one worker's driver gets: its own engine and data dir, the shared database."""
    engine = create_engine_for(url)
    migrate(engine)
    before = Ledger(data_dir / "actions" / "ssh-prod-ledger.json")
    return SharedLedger(LedgerStore(engine, "ssh-prod-ledger"), before), engine


def test_a_result_one_worker_recorded_is_replayed_by_another(
    tmp_path: Path, database_url: str
) -> None:
    first, one = worker_ledger(database_url, tmp_path / "a")
    second, two = worker_ledger(database_url, tmp_path / "b")
    try:
        assert second.replay("k1") is None
        first.put(done("k1"))
        replay = second.replay("k1")
        assert replay is not None
        assert replay.message == "already applied: restarted checkout"
        assert not (tmp_path / "a" / "actions").exists()  # nothing kept on the worker's disk
        other = SharedLedger(LedgerStore(one, "process-ledger"))
        assert other.get("k1") is None  # scopes (drivers) do not see each other's keys
    finally:
        one.dispose()
        two.dispose()


def test_what_the_file_recorded_before_the_upgrade_is_still_replayed(
    tmp_path: Path, database_url: str
) -> None:
    Ledger(tmp_path / "a" / "actions" / "ssh-prod-ledger.json").put(done("old"))
    ledger, engine = worker_ledger(database_url, tmp_path / "a")
    try:
        assert ledger.replay("old") is not None
        ledger.put(done("old", "again"))  # a put goes to the database, which wins from now on
        found = ledger.get("old")
        assert found is not None
        assert found.message == "again"
    finally:
        engine.dispose()


def test_every_driver_with_a_ledger_file_is_handed_the_shared_ledger(tmp_path: Path) -> None:
    from nightowl.app import Nightowl
    from tests.conftest import make_settings

    drivers = [
        {"name": "local", "kind": "process", "services": {}},
        {"name": "hooks", "kind": "webhook", "hooks": {}},
    ]
    app = Nightowl(make_settings(tmp_path, actions={"dry_run": True, "drivers": drivers}))
    try:
        built = {d.name: d for d in app._raw_drivers}
        assert isinstance(built["local"], LedgerAware)
        for name in ("local", "hooks"):
            assert isinstance(built[name].ledger, SharedLedger), name
    finally:
        app.shutdown()
