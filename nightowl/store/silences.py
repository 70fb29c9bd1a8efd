"""Silences: stored, listed, expired. Matching lives in the domain (``Silence.silences``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from nightowl.domain import Matcher, Silence
from nightowl.errors import NotFoundError
from nightowl.store.intake_tables import SilenceRow
from nightowl.store.sessions import Sessions


class SilenceStore:
    """Silences in the database, shared by every worker (intake reads them on every
    notification). Thread-safe; each call is one short transaction; StoreError when the database
    fails.
    """

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def add(self, silence: Silence) -> None:
        """Store a new silence (its id is new: a second add of the same silence is a database
        error).
        """
        with self.sessions.write() as session:
            session.add(
                SilenceRow(
                    id=silence.id,
                    matchers=[m.model_dump(mode="json") for m in silence.matchers],
                    starts_at=silence.starts_at,
                    ends_at=silence.ends_at,
                    created_by=silence.created_by,
                    comment=silence.comment,
                    created_at=silence.created_at,
                )
            )

    def list(self, *, since: datetime | None = None) -> list[Silence]:
        """Every silence, newest first; with ``since``, only those ending after it (not expired)."""
        query = select(SilenceRow).order_by(SilenceRow.created_at.desc())
        if since is not None:
            query = query.where(SilenceRow.ends_at > since)
        with self.sessions.read() as session:
            return [silence_of(r) for r in session.scalars(query)]

    def expire(self, silence_id: str, at: datetime) -> Silence:
        """End the silence at ``at`` (and start it then, if it had not started); one already over
        is returned unchanged. NotFoundError for an unknown id.
        """
        with self.sessions.write() as session:
            row = session.get(SilenceRow, silence_id)
            if row is None:
                raise NotFoundError(
                    f"no silence {silence_id!r}; list them with `nightowl silence list`"
                )
            if row.ends_at > at:
                row.ends_at = at
                row.starts_at = min(row.starts_at, at)
            return silence_of(row)


def silence_of(row: SilenceRow) -> Silence:
    """A silence from its row."""
    return Silence(
        id=row.id,
        matchers=tuple(Matcher.model_validate(m) for m in row.matchers),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        created_by=row.created_by,
        comment=row.comment,
        created_at=row.created_at,
    )
