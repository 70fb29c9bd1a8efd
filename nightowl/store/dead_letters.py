"""Dead letters: inbound bodies nightowl could not use, kept byte for byte so nothing is lost.

A webhook from an authenticated sender that fails to parse is answered with a 4xx and stored here
with the reason and the sender; once the cause is fixed it can be replayed, and ``replayed_at``
records when. (Requests that do not authenticate are counted, never stored: anyone can send them.)

The table is bounded: every ``add`` also drops what is older than the retention and, oldest
first, what exceeds the cap on count and bytes (``DeadLetterCap``); the newest row always stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from nightowl.domain.intake import DeadLetter
from nightowl.errors import NotFoundError
from nightowl.store.tables import DeadLetterRow


@dataclass(frozen=True)
class DeadLetterCap:
    """How much the table may hold: rows received before ``keep_after`` go, and then the
    oldest beyond ``max_count`` rows or ``max_bytes`` of bodies."""

    max_count: int
    max_bytes: int
    keep_after: datetime


@dataclass(frozen=True)
class Kept:
    id: int
    dropped: int
    """How many older rows this add dropped to stay within the cap."""


def add(
    session: Session,
    *,
    source: str,
    reason: str,
    body: bytes,
    content_type: str | None,
    headers: Mapping[str, str],
    received_at: datetime,
    sender: str,
    cap: DeadLetterCap,
) -> Kept:
    row = DeadLetterRow(
        source=source,
        reason=reason,
        body=bytes(body),
        content_type=content_type,
        headers=dict(headers),
        received_at=received_at,
        sender=sender,
    )
    session.add(row)
    session.flush()
    return Kept(row.id, purge(session, cap.keep_after) + _trim(session, cap, row.id))


def purge(session: Session, before: datetime) -> int:
    """Drop every dead letter received before ``before``; how many."""
    result = session.execute(delete(DeadLetterRow).where(DeadLetterRow.received_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _trim(session: Session, cap: DeadLetterCap, newest_id: int) -> int:
    size = func.length(DeadLetterRow.body)
    count, total = session.execute(select(func.count(), func.coalesce(func.sum(size), 0))).one()
    if count <= cap.max_count and total <= cap.max_bytes:
        return 0
    kept_count, kept_bytes, cutoff = 0, 0, None
    for row_id, row_size in session.execute(
        select(DeadLetterRow.id, size).order_by(DeadLetterRow.id.desc())
    ):
        kept_count, kept_bytes = kept_count + 1, kept_bytes + int(row_size or 0)
        if row_id != newest_id and (kept_count > cap.max_count or kept_bytes > cap.max_bytes):
            cutoff = row_id
            break
    if cutoff is None:
        return 0
    result = session.execute(delete(DeadLetterRow).where(DeadLetterRow.id <= cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def newest(session: Session, limit: int) -> list[DeadLetter]:
    rows = session.scalars(select(DeadLetterRow).order_by(DeadLetterRow.id.desc()).limit(limit))
    return [_letter(row) for row in rows]


def get(session: Session, dead_letter_id: int) -> DeadLetter:
    row = session.get(DeadLetterRow, dead_letter_id)
    if row is None:
        raise NotFoundError(
            f"no dead letter {dead_letter_id}; list them with `nightowl deadletter list`"
        )
    return _letter(row)


def _letter(row: DeadLetterRow) -> DeadLetter:
    return DeadLetter(
        id=row.id,
        source=row.source,
        received_at=row.received_at,
        reason=row.reason,
        content_type=row.content_type,
        headers=row.headers,
        body=bytes(row.body),
        replayed_at=row.replayed_at,
        sender=row.sender,
    )


def mark_replayed(session: Session, dead_letter_id: int, at: datetime) -> None:
    row = session.get(DeadLetterRow, dead_letter_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"no dead letter {dead_letter_id}; it may never have been stored")
    row.replayed_at = at
