"""The audit trail: append-only, hash-chained records of every decision, approval and action.

Each record's hash is SHA-256 over the previous record's hash and the canonical JSON (sorted keys,
no spaces) of the record itself — sequence number, time, incident (the correlation id), kind, actor
and data. The newest sequence number and hash are also kept in the ``control`` table ("the head"),
written in the same transaction, so deleting the newest records is detected too. ``verify`` walks
the chain and names the first record that was altered or is missing.

Appends are serialised: SQLite's ``BEGIN IMMEDIATE`` on one file, a transaction-level advisory lock
on PostgreSQL. Nothing in nightowl updates or deletes an audit record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.domain import Model
from nightowl.store import control
from nightowl.store.sessions import Sessions
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


class AuditRecord(Model):
    seq: int
    at: datetime
    incident_id: str | None
    kind: str
    actor: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class ChainCheck(Model):
    """The result of walking the chain: ``bad_seq`` is the first altered or missing record."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


class AuditLog:
    """Append and read the chain. Thread- and process-safe appends; reads never lock."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def append(
        self,
        incident_id: str | None,
        kind: str,
        data: dict[str, Any],
        *,
        actor: str,
        at: datetime,
    ) -> AuditRecord:
        with self.sessions.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK})
            head = control.get(session, HEAD) or {"seq": 0, "hash": GENESIS}
            seq, prev = int(head["seq"]) + 1, str(head["hash"])
            body = {
                "seq": seq,
                "at": at.isoformat(),
                "incident_id": incident_id,
                "kind": kind,
                "actor": actor,
                "data": json.loads(json.dumps(data, default=str)),
            }
            digest = chain_hash(prev, body)
            session.add(
                AuditRow(
                    seq=seq,
                    at=at,
                    incident_id=incident_id,
                    kind=kind,
                    actor=actor,
                    body=body,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            control.put(session, HEAD, {"seq": seq, "hash": digest}, at)
        return _record(body, prev, digest)

    def records(
        self, *, since: datetime | None = None, incident_id: str | None = None, batch: int = 500
    ) -> Iterator[AuditRecord]:
        """Records in chain order, optionally only from ``since`` or of one incident."""
        after = 0
        while True:
            query = select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(batch)
            if since is not None:
                query = query.where(AuditRow.at >= since)
            if incident_id is not None:
                query = query.where(AuditRow.incident_id == incident_id)
            with self.sessions.read() as session:
                rows = list(session.scalars(query))
            if not rows:
                return
            for row in rows:
                yield _record(row.body, row.prev_hash, row.hash)
            after = rows[-1].seq

    def verify(self, batch: int = 500) -> ChainCheck:
        """Walk the whole chain; the first altered, reordered or missing record fails it."""
        expected, prev, checked = 1, GENESIS, 0
        after = 0
        while True:
            query = select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(batch)
            with self.sessions.read() as session:
                rows = list(session.scalars(query))
                head = control.get(session, HEAD) if not rows else None
            if not rows:
                return _check_head(head, expected - 1, prev, checked)
            for row in rows:
                problem = _problem(row, expected, prev)
                if problem:
                    return ChainCheck(ok=False, checked=checked, bad_seq=expected, reason=problem)
                expected, prev, checked = expected + 1, row.hash, checked + 1
            after = rows[-1].seq


def _problem(row: AuditRow, expected: int, prev: str) -> str | None:
    if row.seq != expected:
        return f"record {expected} is missing (the next stored record is {row.seq})"
    body = row.body
    columns = {
        "seq": row.seq,
        "incident_id": row.incident_id,
        "kind": row.kind,
        "actor": row.actor,
    }
    if any(body.get(k) != v for k, v in columns.items()) or body.get("at") is None:
        return f"record {expected} was altered: its columns disagree with its hashed body"
    if row.prev_hash != prev:
        return f"record {expected} does not follow record {expected - 1}: the chain is broken"
    if chain_hash(prev, body) != row.hash:
        return f"record {expected} was altered: its hash does not match its content"
    return None


def _check_head(head: dict[str, Any] | None, last: int, prev: str, checked: int) -> ChainCheck:
    head = head or {"seq": 0, "hash": GENESIS}
    if int(head["seq"]) > last:
        return ChainCheck(
            ok=False,
            checked=checked,
            bad_seq=last + 1,
            reason=f"record {last + 1} is missing: the chain head says {head['seq']} records",
        )
    if int(head["seq"]) != last or head["hash"] != prev:
        return ChainCheck(
            ok=False,
            checked=checked,
            bad_seq=last,
            reason=f"record {last} does not match the chain head",
        )
    return ChainCheck(ok=True, checked=checked)


def _record(body: dict[str, Any], prev: str, digest: str) -> AuditRecord:
    return AuditRecord(
        seq=body["seq"],
        at=datetime.fromisoformat(body["at"]),
        incident_id=body["incident_id"],
        kind=body["kind"],
        actor=body["actor"],
        data=body["data"],
        prev_hash=prev,
        hash=digest,
    )
