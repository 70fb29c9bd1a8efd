"""Migrating a trail written before the key: the old rows are re-chained once, and that is on record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from nightowl.store import create_engine_for, migrate
from nightowl.store.audit import AuditLog, legacy_hash
from nightowl.store.audit_anchor import AnchorFile
from nightowl.store.audit_chain import GENESIS
from nightowl.store.audit_key import KeySource
from nightowl.store.database import MIGRATIONS

AT = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)


def schema_before_the_key(url: str) -> Engine:
    """A database at revision 0003 (the unkeyed trail's schema), every other branch at its head."""
    engine = create_engine_for(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003_remediation")
    return engine


def write_unkeyed(engine: Engine, n: int, *, tamper: int | None = None) -> str:
    """Rows as the old AuditLog wrote them (plain SHA-256 chain, head in ``control``)."""
    prev = GENESIS
    with engine.begin() as connection:
        for seq in range(1, n + 1):
            at = AT + timedelta(minutes=seq)
            body = {
                "seq": seq,
                "at": at.isoformat(),
                "incident_id": "inc-1",
                "kind": "action",
                "actor": "scale",
                "data": {"replicas": seq},
            }
            digest = legacy_hash(prev, body)
            if seq == tamper:
                body["data"] = {"replicas": 99}
            connection.execute(
                text(
                    "INSERT INTO audit_records (seq, at, incident_id, kind, actor, body, "
                    "prev_hash, hash) VALUES (:seq, :at, 'inc-1', 'action', 'scale', :body, "
                    ":prev, :hash)"
                ),
                {"seq": seq, "at": at, "body": json.dumps(body), "prev": prev, "hash": digest},
            )
            prev = digest
        connection.execute(
            text("INSERT INTO control (key, value, updated_at) VALUES ('audit.head', :v, :at)"),
            {"v": json.dumps({"seq": n, "hash": prev}), "at": AT},
        )
    return prev


def open_trail(engine: Engine, data_dir: Path) -> AuditLog:
    keys, anchors = KeySource(data_dir / "audit.key"), AnchorFile(data_dir / "audit.anchor")
    return AuditLog(engine, keys, anchors)


def test_unkeyed_rows_are_rechained_under_the_key_and_it_is_audited(
    database_url: str, tmp_path: Path
) -> None:
    engine = schema_before_the_key(database_url)
    try:
        old_head = write_unkeyed(engine, 3)
        migrate(engine)
        log = open_trail(engine, tmp_path)
        log.prepare(AT + timedelta(hours=1))
        records = list(log.records())
        assert [r.kind for r in records] == ["action", "action", "action", "audit.rechained"]
        assert all(r.key_id == log.prepare().key_id for r in records)
        assert [r.data for r in records[:3]] == [{"replicas": i} for i in (1, 2, 3)]
        assert records[3].actor == "nightowl"
        assert records[3].data == {
            "records": 3,
            "legacy_head": old_head,
            "legacy_check": "intact",
            "key_id": log.prepare().key_id,
        }
        check = log.verify()
        assert check.ok, check.reason
        anchors = AnchorFile(tmp_path / "audit.anchor").read()
        assert [a.seq for a in anchors.anchors] == [4]
        # Once: opening again re-chains nothing.
        open_trail(engine, tmp_path).prepare()
        assert len(list(log.records())) == 4
    finally:
        engine.dispose()


def test_a_broken_unkeyed_chain_stays_on_record_as_broken(
    database_url: str, tmp_path: Path
) -> None:
    engine = schema_before_the_key(database_url)
    try:
        write_unkeyed(engine, 3, tamper=2)
        migrate(engine)
        log = open_trail(engine, tmp_path)
        log.prepare()
        rechained = [r for r in log.records() if r.kind == "audit.rechained"]
        assert rechained[0].data["legacy_check"] == (
            "broken: record 2 did not match the unkeyed chain"
        )
    finally:
        engine.dispose()
