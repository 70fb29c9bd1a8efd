"""The audit trail: HMAC-chained, append-only records, read in order, exported by the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.store import IncidentStore
from nightowl.store.audit import AuditLog, AuditRow, canonical
from nightowl.store.audit_anchor import AnchorFile
from nightowl.store.audit_chain import record_mac
from nightowl.store.audit_key import KeySource

AT = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IncidentStore]:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}")
    yield store
    store.close()


def trail(store: IncidentStore, data_dir: Path, every: int = 10) -> AuditLog:
    """The trail as the app opens it for ``--data-dir data_dir``: key and anchor files there."""
    keys, anchors = KeySource(data_dir / "audit.key"), AnchorFile(data_dir / "audit.anchor")
    return AuditLog(store.engine, keys, anchors, every=every)


def fill(log: AuditLog, n: int = 5) -> None:
    for i in range(n):
        log.append(
            "inc-1",
            "decision",
            {"i": i, "verdict": "allow"},
            actor="policy",
            at=AT + timedelta(minutes=i),
        )


def test_records_are_hmac_chained_over_every_column(store: IncidentStore, tmp_path: Path) -> None:
    log = trail(store, tmp_path)
    fill(log)
    records = list(log.records())
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[1].prev_hash == records[0].hash
    key = log.prepare()
    body = {
        "seq": 1,
        "at": AT.isoformat(),
        "incident_id": "inc-1",
        "kind": "decision",
        "actor": "policy",
        "data": {"i": 0, "verdict": "allow"},
        "key_id": key.key_id,
    }
    assert records[0].hash == record_mac(key, "0" * 64, body)
    assert records[0].key_id == key.key_id
    assert canonical({"b": 1, "a": [1]}) == '{"a":[1],"b":1}'
    check = log.verify()
    assert check.ok, check.reason
    assert [r.seq for r in log.records(since=AT + timedelta(minutes=3))] == [4, 5]


def test_the_key_file_is_created_0600_outside_the_database(
    store: IncidentStore, tmp_path: Path
) -> None:
    log = trail(store, tmp_path)
    fill(log, 1)
    key_file = tmp_path / "audit.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    secret = key_file.read_text().strip()
    assert len(secret) == 64
    with log.sessions.read() as session:
        dump = repr([r.body for r in session.query(AuditRow)])
    assert secret not in dump


def test_every_nth_record_is_anchored(store: IncidentStore, tmp_path: Path) -> None:
    log = trail(store, tmp_path, every=2)
    fill(log, 5)
    anchors = AnchorFile(tmp_path / "audit.anchor").read()
    assert [a.seq for a in anchors.anchors] == [0, 2, 4]  # 0: the trail was started
    assert log.anchor() is not None
    assert log.anchor() is None
    assert AnchorFile(tmp_path / "audit.anchor").read().newest.seq == 5  # type: ignore[union-attr]


def test_cli_verify_and_export(store: IncidentStore, tmp_path: Path) -> None:
    log = trail(store, tmp_path)
    fill(log, 3)
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    ok = runner.invoke(app, ["audit", "verify", *args])
    assert ok.exit_code == 0, ok.output
    assert "3 records" in ok.output
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
