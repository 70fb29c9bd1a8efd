"""Dead letters: inbound bodies nightowl could not use, kept byte for byte so nothing is lost.

A webhook that fails to parse or authenticate is answered with a 4xx and stored here with the
reason; once the cause is fixed it can be replayed, and ``replayed_at`` records when.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from nightowl.domain.intake import DeadLetter
from nightowl.errors import NotFoundError
from nightowl.store.tables import DeadLetterRow


def add(
    session: Session,
    *,
    source: str,
    reason: str,
    body: bytes,
    content_type: str | None,
    headers: Mapping[str, str],
    received_at: datetime,
) -> int:
    row = DeadLetterRow(
        source=source,
        reason=reason,
        body=bytes(body),
        content_type=content_type,
        headers=dict(headers),
        received_at=received_at,
    )
    session.add(row)
    session.flush()
    return row.id


def newest(session: Session, limit: int) -> list[DeadLetter]:
    rows = session.scalars(select(DeadLetterRow).order_by(DeadLetterRow.id.desc()).limit(limit))
    return [
        DeadLetter(
            id=row.id,
            source=row.source,
            received_at=row.received_at,
            reason=row.reason,
            content_type=row.content_type,
            headers=row.headers,
            body=bytes(row.body),
            replayed_at=row.replayed_at,
        )
        for row in rows
    ]


def mark_replayed(session: Session, dead_letter_id: int, at: datetime) -> None:
    row = session.get(DeadLetterRow, dead_letter_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"no dead letter {dead_letter_id}; it may never have been stored")
    row.replayed_at = at
