"""Verifying the trail: every way of rewriting it from inside the database is found and named.

The attacker here can write the database (SQL injection, a stolen password, a restored backup)
but not read the key file: they recompute the chain with whatever key they have, rewind the head,
delete rows or wipe the table. Each case failed to be detected by the unkeyed chain.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.errors import ConfigError
from nightowl.store import IncidentStore
from nightowl.store import control as control_rows
from nightowl.store.audit import AuditLog, AuditRow, canonical
from nightowl.store.audit_anchor import AnchorFile, parse_anchor
from nightowl.store.audit_chain import GENESIS, HEAD
from nightowl.store.audit_key import KeySource

AT = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[IncidentStore]:
    store = IncidentStore.open(database_url)
    yield store
    store.close()


def trail(store: IncidentStore, data_dir: Path, every: int = 10) -> AuditLog:
    keys, anchors = KeySource(data_dir / "audit.key"), AnchorFile(data_dir / "audit.anchor")
    return AuditLog(store.engine, keys, anchors, every=every)


def fill(log: AuditLog, n: int = 5) -> None:
    for i in range(n):
        at = AT + timedelta(minutes=i)
        log.append("inc-1", "decision", {"i": i, "verdict": "allow"}, actor="policy", at=at)


def recompute_from(session: Session, seq: int, secret: bytes) -> None:
    """Re-sign records ``seq``… with the attacker's own key and move the head: a chain that an
    unkeyed check (or one that trusts the database) would call intact."""
    query = select(AuditRow).where(AuditRow.seq >= seq - 1).order_by(AuditRow.seq)
    rows = list(session.scalars(query))
    prev = rows[0].hash if seq > 1 else GENESIS
    for row in rows if seq == 1 else rows[1:]:
        digest = hmac.new(secret, (prev + canonical(row.body)).encode(), hashlib.sha256)
        row.prev_hash, row.hash = prev, digest.hexdigest()
        prev = row.hash
    session.flush()
    control_rows.put(session, HEAD, {"seq": rows[-1].seq, "hash": prev}, AT)


def rewrite_decision(session: Session) -> None:
    row = session.get(AuditRow, 3)
    assert row is not None
    row.body = {**row.body, "data": {"i": 2, "verdict": "deny"}}
    session.flush()
    recompute_from(session, 3, b"the attacker's guess at the key")


def unkeyed_rewrite(session: Session) -> None:
    """The old scheme's forgery: plain SHA-256 over the previous hash and the body."""
    row = session.get(AuditRow, 2)
    assert row is not None
    row.body = {**row.body, "actor": "alice"}
    row.actor = "alice"
    prev = session.get(AuditRow, 1).hash  # type: ignore[union-attr]
    row.hash = hashlib.sha256((prev + canonical(row.body)).encode()).hexdigest()


def move_time(session: Session) -> None:
    session.execute(update(AuditRow).where(AuditRow.seq == 2).values(at=AT + timedelta(days=9)))


def move_time_everywhere(session: Session) -> None:
    row = session.get(AuditRow, 2)
    assert row is not None
    moved = AT + timedelta(days=9)
    row.at, row.body = moved, {**row.body, "at": moved.isoformat()}
    session.flush()
    recompute_from(session, 2, b"not the key")


def truncate_and_rewind(session: Session) -> None:
    session.execute(delete(AuditRow).where(AuditRow.seq == 5))
    four = session.get(AuditRow, 4)
    assert four is not None
    control_rows.put(session, HEAD, {"seq": 4, "hash": four.hash}, AT)


def wipe(session: Session) -> None:
    session.execute(delete(AuditRow))
    control_rows.put(session, HEAD, {"seq": 0, "hash": GENESIS}, AT)


CASES: list[tuple[str, Callable[[Session], object], int | None, str]] = [
    ("rewritten, chain recomputed", rewrite_decision, 3, "HMAC does not match"),
    ("rewritten, unkeyed forgery", unkeyed_rewrite, 2, "HMAC does not match"),
    ("at column changed", move_time, 2, "columns disagree"),
    ("at changed and re-signed", move_time_everywhere, 2, "HMAC does not match"),
    ("newest deleted, head rewound", truncate_and_rewind, 5, "truncated"),
    ("table wiped", wipe, 1, "wiped"),
    (
        "altered column",
        lambda s: s.execute(update(AuditRow).where(AuditRow.seq == 2).values(actor="mallory")),
        2,
        "columns disagree",
    ),
    (
        "deleted middle",
        lambda s: s.execute(delete(AuditRow).where(AuditRow.seq == 3)),
        3,
        "missing",
    ),
    (
        "deleted newest",
        lambda s: s.execute(delete(AuditRow).where(AuditRow.seq == 5)),
        5,
        "missing",
    ),
    (
        "relinked",
        lambda s: s.execute(update(AuditRow).where(AuditRow.seq == 4).values(prev_hash="f" * 64)),
        4,
        "chain is broken",
    ),
]


@pytest.mark.parametrize(
    ("tamper", "bad", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_tampering_is_detected_and_named(
    store: IncidentStore,
    tmp_path: Path,
    tamper: Callable[[Session], object],
    bad: int,
    reason: str,
) -> None:
    log = trail(store, tmp_path)
    fill(log)
    assert log.anchor() is not None  # what the server does every minute and at shutdown
    assert log.verify().ok
    with log.sessions.write() as session:
        tamper(session)
    check = trail(store, tmp_path).verify()
    assert (check.ok, check.bad_seq) == (False, bad), check.reason
    assert reason in check.reason


def test_a_rewrite_with_the_key_after_anchoring_is_found_by_the_anchor(
    store: IncidentStore, tmp_path: Path
) -> None:
    log = trail(store, tmp_path, every=1)
    fill(log, 3)
    secret = (tmp_path / "audit.key").read_text().strip().encode()
    with log.sessions.write() as session:
        row = session.get(AuditRow, 2)
        assert row is not None
        row.body = {**row.body, "data": {"i": 1, "verdict": "deny"}}
        session.flush()
        recompute_from(session, 2, secret)
    check = log.verify()
    assert (check.ok, check.bad_seq) == (False, 2)
    assert "rewritten after it was anchored" in check.reason


def test_a_deleted_anchor_file_fails_the_check(store: IncidentStore, tmp_path: Path) -> None:
    log = trail(store, tmp_path)
    fill(log, 2)
    (tmp_path / "audit.anchor").unlink()
    check = log.verify()
    assert not check.ok
    assert "anchor file" in check.reason
    assert "missing" in check.reason


def test_another_key_is_named_not_taken_for_tampering(store: IncidentStore, tmp_path: Path) -> None:
    fill(trail(store, tmp_path), 2)
    (tmp_path / "audit.key").write_text("b" * 64)
    check = trail(store, tmp_path).verify()
    assert (check.ok, check.bad_seq) == (False, 1)
    assert "signed with key" in check.reason


def test_a_missing_key_is_a_clear_error_never_a_new_key(
    store: IncidentStore, tmp_path: Path
) -> None:
    fill(trail(store, tmp_path), 2)
    (tmp_path / "audit.key").unlink()
    with pytest.raises(ConfigError, match=r"does not exist.*restore it from your backup"):
        trail(store, tmp_path).verify()
    assert not (tmp_path / "audit.key").exists()


def test_cli_says_what_it_found_and_exits_non_zero(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}")
    try:
        log = trail(store, tmp_path)
        fill(log, 5)
        log.anchor()
        with log.sessions.write() as session:
            truncate_and_rewind(session)
    finally:
        store.close()
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    truncated = runner.invoke(app, ["audit", "verify", *args])
    assert truncated.exit_code == 1
    said = " ".join(truncated.output.split())
    assert "truncated" in said
    assert "so record 5 was deleted" in said
    (tmp_path / "audit.key").unlink()
    missing = runner.invoke(app, ["audit", "verify", *args])
    assert missing.exit_code == 2
    said = " ".join(missing.output.split())
    assert "audit key file" in said
    assert "restore it" in said
    assert "Traceback" not in said


def test_an_anchor_from_the_shipped_log_catches_what_the_local_files_no_longer_show(
    store: IncidentStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Someone who controls the host rewrites a record with the key and the anchor file to match;
    the anchor log line shipped off the machine still names the old HMAC."""
    caplog.set_level("INFO", logger="nightowl.audit")
    log = trail(store, tmp_path, every=1)
    fill(log, 3)
    shipped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("audit anchor")]
    line = shipped[-1]  # "audit anchor seq=3 mac=… key=…"
    secret = (tmp_path / "audit.key").read_text().strip().encode()
    with log.sessions.write() as session:
        row = session.get(AuditRow, 2)
        assert row is not None
        row.body = {**row.body, "data": {"i": 1, "verdict": "deny"}}
        session.flush()
        recompute_from(session, 2, secret)
    (tmp_path / "audit.anchor").write_text("")  # the local anchors are gone too
    assert parse_anchor(line) == (3, line.split("mac=")[1].split()[0])
    check = log.verify(given=[parse_anchor(line)])
    assert (check.ok, check.bad_seq) == (False, 3)
    assert "differs from the given anchor" in check.reason
    with log.sessions.write() as session:
        wipe(session)
    wiped = log.verify(given=[parse_anchor(line)])
    assert not wiped.ok
    assert "wiped" in wiped.reason
    assert "given anchor names record 3" in wiped.reason


def test_cli_checks_a_given_anchor_and_refuses_a_malformed_one(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}")
    try:
        log = trail(store, tmp_path)
        fill(log, 2)
        head = list(log.records())[-1]
    finally:
        store.close()
    runner = CliRunner()
    args = ["audit", "verify", "--data-dir", str(tmp_path)]
    good = runner.invoke(app, [*args, "--anchor", f"audit anchor seq=2 mac={head.hash} key=x"])
    assert good.exit_code == 0, good.output
    wrong = runner.invoke(app, [*args, "--anchor", f"2:{'0' * 64}"])
    assert wrong.exit_code == 1
    assert "differs from the given anchor" in " ".join(wrong.output.split())
    bad = runner.invoke(app, [*args, "--anchor", "seq=two"])
    assert bad.exit_code == 1
    assert "is not an anchor" in " ".join(bad.output.split())
