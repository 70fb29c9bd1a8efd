"""The audit trail: append-only, HMAC-chained records of every decision, approval and action.

Each record is signed with HMAC-SHA256 over the previous record's HMAC and every column of its own
(``audit_chain``), keyed with a key the database does not hold (``audit_key``), and the chain's
head is anchored outside the database (``audit_anchor``). So a record rewritten with the chain
recomputed, the newest records deleted with the head rewound, or the table wiped are all found by
``verify`` (``audit_verify``), which names what it found. Records from before the key are
re-chained once, on record (``audit_rechain``).

Appends are serialised: SQLite's ``BEGIN IMMEDIATE`` on one file, a transaction-level advisory lock
on PostgreSQL. Nothing in nightowl updates or deletes an audit record but the one re-chaining.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from nightowl.errors import NightowlError
from nightowl.store import control
from nightowl.store.audit_anchor import Anchor, AnchorFile
from nightowl.store.audit_chain import (
    GENESIS,
    HEAD,
    AuditRecord,
    AuditRow,
    ChainCheck,
    append_row,
    canonical,
    legacy_hash,
    lock,
    to_record,
)
from nightowl.store.audit_key import AuditKey, KeySource
from nightowl.store.audit_rechain import rechain_legacy
from nightowl.store.audit_verify import verify_trail
from nightowl.store.sessions import Sessions

__all__ = [
    "AuditLog",
    "AuditRecord",
    "AuditRow",
    "ChainCheck",
    "canonical",
    "legacy_hash",
]

log = logging.getLogger(__name__)
_ANY_SIGNED = select(AuditRow.seq).where(AuditRow.key_id.is_not(None)).limit(1)
_ANY_LEGACY = select(AuditRow.seq).where(AuditRow.key_id.is_(None)).limit(1)


class AuditLog:
    """Append, read and verify the trail. Thread- and process-safe appends; reads never lock.

    ``prepare`` (called by whoever opens the store: the app's ``Stores``) loads the key — creating
    the key file for a trail that has never been signed — re-chains unkeyed records and writes the
    first anchor; ``append`` and ``verify`` prepare on first use. Raises ConfigError when the key
    is missing or unusable, StoreError when the database or the anchor file cannot be used.
    """

    def __init__(self, engine: Engine, keys: KeySource, anchors: AnchorFile, *, every: int = 10):
        self.sessions, self.keys, self.anchors, self.every = Sessions(engine), keys, anchors, every
        self._key: AuditKey | None = None
        self._anchored = -1
        self._lock = threading.Lock()

    def prepare(self, at: datetime | None = None) -> AuditKey:
        """The key, with the trail made ready for it (idempotent; cheap after the first call).

        Reads only, unless there are unkeyed rows to re-chain: opening the store for a read-only
        command does not take SQLite's write lock."""
        with self._lock:
            if self._key is not None:
                return self._key
            at = at or datetime.now(UTC)
            read = self.anchors.read()
            newest = read.newest
            with self.sessions.read() as session:
                signed = session.scalar(_ANY_SIGNED) is not None
                legacy = session.scalar(_ANY_LEGACY) is not None
            key = self.keys.load(create=not signed and (newest is None or newest.seq == 0))
            rechained = self._rechain(key, at) if legacy else None
            self._key = key
            self._anchored = newest.seq if newest else -1
            if rechained is not None or not read.exists:
                self._write_anchor(at)
            return key

    def _rechain(self, key: AuditKey, at: datetime) -> dict[str, Any] | None:
        with self.sessions.write() as session:
            lock(session)
            rechained = rechain_legacy(session, key, at)  # None: another process was first
            if rechained is not None:
                append_row(
                    session, key, None, "audit.rechained", rechained, actor="nightowl", at=at
                )
        if rechained is not None:
            count, key_id = rechained["records"], key.key_id
            log.warning("re-chained %d unkeyed audit records under key %s", count, key_id)
        return rechained

    def append(
        self,
        incident_id: str | None,
        kind: str,
        data: dict[str, Any],
        *,
        actor: str,
        at: datetime,
    ) -> AuditRecord:
        key = self.prepare()
        with self.sessions.write() as session:
            lock(session)
            row = append_row(session, key, incident_id, kind, data, actor=actor, at=at)
        record = to_record(row)
        if record.seq % self.every == 0:
            self._anchor_quietly(record.seq, record.hash, at)
        return record

    def anchor(self, at: datetime | None = None) -> Anchor | None:
        """Anchor the head now if it moved since this process last anchored it (the periodic and
        shutdown anchor); the anchor written, or None."""
        self.prepare()
        return self._write_anchor(at or datetime.now(UTC), only_if_moved=True)

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
            yield from (to_record(row) for row in rows)
            after = rows[-1].seq

    def verify(self, batch: int = 500, given: Sequence[tuple[int, str]] = ()) -> ChainCheck:
        """Walk the whole chain and hold it against the anchors (the file's and ``given``, e.g.
        from a shipped log line); names what it found."""
        return verify_trail(self.sessions, self.prepare(), self.anchors, batch, given)

    def _write_anchor(self, at: datetime, *, only_if_moved: bool = False) -> Anchor | None:
        with self.sessions.read() as session:
            head = control.get(session, HEAD) or {"seq": 0, "hash": GENESIS}
        if only_if_moved and int(head["seq"]) <= self._anchored:
            return None
        return self._anchor_quietly(int(head["seq"]), str(head["hash"]), at)

    def _anchor_quietly(self, seq: int, mac: str, at: datetime) -> Anchor | None:
        """Write an anchor; a failure is logged, never raised: the record itself is committed."""
        assert self._key is not None
        anchor = Anchor(seq=seq, mac=mac, key_id=self._key.key_id, at=at)
        try:
            self.anchors.write(anchor)
        except NightowlError as exc:
            log.error("the audit head was not anchored: %s", exc)
            return None
        self._anchored = max(self._anchored, seq)
        return anchor
