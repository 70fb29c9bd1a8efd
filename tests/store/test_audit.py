"""The audit trail: hash-chained, append-only; any altered or missing record is found and named."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.store import IncidentStore
from nightowl.store.audit import AuditLog, AuditRow, canonical, chain_hash

AT = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IncidentStore]:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}")
    yield store
    store.close()


def fill(log: AuditLog, n: int = 5) -> None:
    for i in range(n):
        log.append(
            "inc-1",
            "decision",
            {"i": i, "verdict": "allow"},
            actor="policy",
            at=AT + timedelta(minutes=i),
        )


def test_records_chain_and_verify(store: IncidentStore) -> None:
    log = AuditLog(store.engine)
    fill(log)
    records = list(log.records())
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[1].prev_hash == records[0].hash
    body = {
        "seq": 1,
        "at": AT.isoformat(),
        "incident_id": "inc-1",
        "kind": "decision",
        "actor": "policy",
        "data": {"i": 0, "verdict": "allow"},
    }
    assert records[0].hash == chain_hash("0" * 64, body)
    assert canonical({"b": 1, "a": [1]}) == '{"a":[1],"b":1}'
    assert log.verify().ok
    assert [r.seq for r in log.records(since=AT + timedelta(minutes=3))] == [4, 5]


@pytest.mark.parametrize(
    ("tamper", "bad", "reason"),
    [
        (
            lambda s: s.execute(
                update(AuditRow)
                .where(AuditRow.seq == 3)
                .values(
                    body={
                        "seq": 3,
                        "at": AT.isoformat(),
                        "incident_id": "inc-1",
                        "kind": "decision",
                        "actor": "policy",
                        "data": {"i": 2, "verdict": "deny"},
                    }
                )
            ),
            3,
            "hash does not match",
        ),
        (
            lambda s: s.execute(update(AuditRow).where(AuditRow.seq == 2).values(actor="mallory")),
            2,
            "columns disagree",
        ),
        (lambda s: s.execute(delete(AuditRow).where(AuditRow.seq == 3)), 3, "missing"),
        (lambda s: s.execute(delete(AuditRow).where(AuditRow.seq == 5)), 5, "missing"),
        (
            lambda s: s.execute(
                update(AuditRow).where(AuditRow.seq == 4).values(prev_hash="f" * 64)
            ),
            4,
            "chain is broken",
        ),
    ],
    ids=["altered data", "altered column", "deleted middle", "deleted newest", "relinked"],
)
def test_tampering_is_detected_and_the_first_bad_record_named(
    store: IncidentStore, tamper: object, bad: int, reason: str
) -> None:
    log = AuditLog(store.engine)
    fill(log)
    with log.sessions.write() as session:
        tamper(session)  # type: ignore[operator]
    check = log.verify()
    assert (check.ok, check.bad_seq) == (False, bad)
    assert reason in check.reason


def test_cli_verify_and_export(store: IncidentStore, tmp_path: Path) -> None:
    log = AuditLog(store.engine)
    fill(log, 3)
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    assert runner.invoke(app, ["audit", "verify", *args]).exit_code == 0
    out = tmp_path / "audit.jsonl"
    exported = runner.invoke(
        app, ["audit", "export", "--since", "2030-01-01T03:01:00+00:00", "-o", str(out), *args]
    )
    assert exported.exit_code == 0, exported.output
    assert len(out.read_text().splitlines()) == 2
    with log.sessions.write() as session:
        session.execute(delete(AuditRow).where(AuditRow.seq == 2))
    broken = runner.invoke(app, ["audit", "verify", *args])
    assert broken.exit_code == 1
    assert "record 2 is missing" in broken.output
