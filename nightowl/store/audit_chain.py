"""The audit chain's rules: the stored record, what its HMAC covers, and when a record is altered.

A record's body is the canonical JSON (sorted keys, no spaces) of every column but the chain's own
two — sequence number, time, incident (the correlation id), kind, actor, data and the id of the key
that signed it. Its ``hash`` is HMAC-SHA256, keyed with the audit key, over the previous record's
``hash`` and that body; every column must agree with the body, so none (``at`` included) can be
changed without the key. ``append_row`` is the one way a record is added (under ``lock``).
Records written before the key existed (``key_id`` NULL) used a plain
SHA-256 chain, ``legacy_hash``; they are re-chained once under the key (see ``audit_rechain``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from nightowl.domain import Model
from nightowl.store import control
from nightowl.store.audit_key import AuditKey
from nightowl.store.tables import Base, UTCDateTime

GENESIS = "0" * 64
HEAD = "audit.head"
AUDIT_LOCK = 0x6E6F2D6175646974
"""PostgreSQL advisory lock key ("no-audit"): appends from several workers queue."""


class AuditRow(Base):
    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    incident_id: Mapped[str | None] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditRecord(Model):
    """One record as read back: ``hash`` is its HMAC, ``key_id`` the key that signed it."""

    seq: int
    at: datetime
    incident_id: str | None
    kind: str
    actor: str
    data: dict[str, Any]
    prev_hash: str
    hash: str
    key_id: str | None = None


class ChainCheck(Model):
    """The result of verifying the trail: ``bad_seq`` is the first altered or missing record,
    ``reason`` says what was found; ``anchors`` counts the anchors the chain was checked against
    and ``notes`` are findings that do not fail the check (a torn anchor line, a re-chaining)."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""
    anchors: int = 0
    notes: tuple[str, ...] = ()
    key_id: str = ""
    anchor_file: str = ""


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def legacy_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """The unkeyed SHA-256 link of records written before the audit key (re-chain only)."""
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


def record_mac(key: AuditKey, prev_hash: str, body: dict[str, Any]) -> str:
    return key.mac(prev_hash + canonical(body))


def new_body(
    seq: int,
    at: datetime,
    incident_id: str | None,
    kind: str,
    actor: str,
    data: dict[str, Any],
    key_id: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at.isoformat(),
        "incident_id": incident_id,
        "kind": kind,
        "actor": actor,
        "data": json.loads(json.dumps(data, default=str)),
        "key_id": key_id,
    }


def lock(session: Session) -> None:
    """Serialise appenders: SQLite's writer lock is already held (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK})


def append_row(
    session: Session,
    key: AuditKey,
    incident_id: str | None,
    kind: str,
    data: dict[str, Any],
    *,
    actor: str,
    at: datetime,
) -> AuditRow:
    """Append one signed record after the head (the caller holds the lock) and move the head."""
    head = control.get(session, HEAD) or {"seq": 0, "hash": GENESIS}
    seq, prev = int(head["seq"]) + 1, str(head["hash"])
    body = new_body(seq, at, incident_id, kind, actor, data, key.key_id)
    row = AuditRow(
        seq=seq,
        at=at,
        incident_id=incident_id,
        kind=kind,
        actor=actor,
        body=body,
        prev_hash=prev,
        hash=record_mac(key, prev, body),
        key_id=key.key_id,
    )
    session.add(row)
    control.put(session, HEAD, {"seq": seq, "hash": row.hash}, at)
    return row


def problem(row: AuditRow, expected: int, prev: str, key: AuditKey) -> str | None:
    """What is wrong with ``row`` as record ``expected`` after a record whose HMAC is ``prev``."""
    if row.seq != expected:
        return f"record {expected} is missing (the next stored record is {row.seq})"
    if row.key_id is None:
        return (
            f"record {expected} is from the unkeyed chain and was never re-chained: open the "
            "store once with nightowl (any command) to re-chain it under the key"
        )
    body = row.body
    columns = {
        "seq": row.seq,
        "incident_id": row.incident_id,
        "kind": row.kind,
        "actor": row.actor,
        "key_id": row.key_id,
    }
    if any(body.get(k) != v for k, v in columns.items()) or not _same_time(body.get("at"), row.at):
        return f"record {expected} was altered: its columns disagree with its signed body"
    if row.prev_hash != prev:
        return f"record {expected} does not follow record {expected - 1}: the chain is broken"
    if row.key_id != key.key_id:
        return (
            f"record {expected} was signed with key {row.key_id}, not with this key "
            f"({key.key_id} from {key.where}): use the key that signed the trail"
        )
    if record_mac(key, prev, body) != row.hash:
        return (
            f"record {expected} was altered: its HMAC does not match its content "
            "(rewritten by someone without the key)"
        )
    return None


def _same_time(stored: object, column: datetime) -> bool:
    if not isinstance(stored, str):
        return False
    try:
        return datetime.fromisoformat(stored) == column
    except (ValueError, TypeError):
        return False


def to_record(row: AuditRow) -> AuditRecord:
    body = row.body
    return AuditRecord(
        seq=body["seq"],
        at=datetime.fromisoformat(body["at"]),
        incident_id=body["incident_id"],
        kind=body["kind"],
        actor=body["actor"],
        data=body["data"],
        prev_hash=row.prev_hash,
        hash=row.hash,
        key_id=row.key_id,
    )
