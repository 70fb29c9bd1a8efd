"""The drivers' ledger of applied actions: one result per idempotency key, replayed as "already
applied", shared by every Ledger on the same file and safe under concurrent writers."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

from nightowl.actions.ledger import Ledger
from nightowl.actions.results import result
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, Risk

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
