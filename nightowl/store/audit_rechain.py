"""Re-chaining the records written before the audit key existed, once, and saying so.

Migration ``0008_audit_hmac`` adds ``key_id``; rows without one were linked by the old unkeyed
SHA-256 chain. The first time the store is opened with a key, those rows are checked under the
old rule (the result is kept, not hidden: an old chain that was already broken stays on record as
broken), signed under the key in order, and an ``audit.rechained`` record is appended that names
how many rows, the old head and what the old check found. All in one write transaction, under the
append lock, so a concurrent appender waits and a crash leaves the old chain as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nightowl.store import control
from nightowl.store.audit_chain import GENESIS, HEAD, AuditRow, legacy_hash, record_mac
from nightowl.store.audit_key import AuditKey


def rechain_legacy(session: Session, key: AuditKey, at: datetime) -> dict[str, Any] | None:
    """Sign every unkeyed row under ``key``; the ``audit.rechained`` body, or None if none."""
    legacy = list(
        session.scalars(select(AuditRow).where(AuditRow.key_id.is_(None)).order_by(AuditRow.seq))
    )
    if not legacy:
        return None
    old_check, old_head = _legacy_check(legacy), legacy[-1].hash
    keyed = list(session.scalars(select(AuditRow).where(AuditRow.key_id.is_not(None)).limit(1)))
    if keyed:
        old_check += "; keyed records already followed it and were re-signed in order"
    prev = GENESIS
    rows = list(session.scalars(select(AuditRow).order_by(AuditRow.seq)))
    for row in rows:
        body = {**row.body, "key_id": key.key_id}
        row.body, row.key_id, row.prev_hash = body, key.key_id, prev
        row.hash = prev = record_mac(key, prev, body)
    session.flush()
    control.put(session, HEAD, {"seq": rows[-1].seq, "hash": prev}, at)
    return {
        "records": len(legacy),
        "legacy_head": old_head,
        "legacy_check": old_check,
        "key_id": key.key_id,
    }


def _legacy_check(rows: list[AuditRow]) -> str:
    prev = GENESIS
    for expected, row in enumerate(rows, start=1):
        if row.seq != expected:
            return f"broken: record {expected} was missing"
        if row.prev_hash != prev or legacy_hash(prev, row.body) != row.hash:
            return f"broken: record {expected} did not match the unkeyed chain"
        prev = row.hash
    return "intact"
