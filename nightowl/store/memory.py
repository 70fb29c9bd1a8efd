"""Incident memory: finished incidents and human feedback, found again by structure and full text.

``MemoryStore`` keeps one ``Memory`` per finished incident (``memories``), the structural keys it
is found by (``memory_keys``: its alert names), and every ``Feedback`` a human gave
(``memory_feedback``). ``similar`` is a structural match first — past incidents sharing an alert
name (and a service, when both name one) — then ranked by full text over their signatures:
SQLite's FTS5 ``bm25`` (the ``memories_fts`` virtual table, written beside each memory) or
PostgreSQL's ``ts_rank`` over a ``tsvector`` column with a GIN index. No embeddings are needed.
``forget`` deletes by incident, by person (their feedback: memory holds people's names) and by
age (the retention setting).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Engine,
    Index,
    Integer,
    String,
    Text,
    delete,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, Session, mapped_column

from nightowl.domain.memory import Feedback, Match, Memory, Signature
from nightowl.store.database import migrated_engine
from nightowl.store.sessions import Sessions, put_row
from nightowl.store.tables import Base, UTCDateTime

MAX_TERMS = 64
"""A query ranks by at most this many distinct words of the new signature (bounded work)."""

_TERM = re.compile(r"[a-z0-9]+")


class MemoryRow(Base):
    """One finished incident as memory keeps it (the Memory without its feedback, as JSON)."""

    __tablename__ = "memories"
    __table_args__ = (Index("ix_memories_search", "search", postgresql_using="gin"),)

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    document: Mapped[str] = mapped_column(Text)
    search: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    body: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MemoryKeyRow(Base):
    """A structural key a memory is found by (``alert:<name>``)."""

    __tablename__ = "memory_keys"

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True, index=True)


class FeedbackRow(Base):
    """One human judgement on a past incident; ``author`` is a person's name (see ``forget``)."""

    __tablename__ = "memory_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(200), index=True)
    author: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    correction: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)


class MemoryStore:
    """Remember, find and forget incidents. Thread-safe; each call is one short transaction;
    StoreError when the database cannot be used."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    @classmethod
    def open(cls, url: str) -> MemoryStore:
        """A store on ``url`` with the schema migrated."""
        return cls(migrated_engine(url))

    def close(self) -> None:
        self.sessions.engine.dispose()

    def remember(self, memory: Memory, at: datetime) -> None:
        """Store (or replace: a re-run report stage) the memory of one finished incident. Its
        feedback is kept in ``memory_feedback`` and is not replaced."""
        doc = memory.signature.document()
        body = memory.model_copy(update={"feedback": ()}).model_dump_json()
        with self.sessions.write() as session:
            postgres = _is_postgres(session)
            search = func.to_tsvector("simple", doc) if postgres else None
            keys = {"incident_id": memory.incident_id}
            values = {"opened_at": memory.opened_at, "document": doc, "body": body}
            put_row(session, MemoryRow, keys, values | {"search": search, "stored_at": at})
            session.execute(
                delete(MemoryKeyRow).where(MemoryKeyRow.incident_id == memory.incident_id)
            )
            for key in _keys(memory.signature):
                session.add(MemoryKeyRow(incident_id=memory.incident_id, key=key))
            if not postgres:
                session.execute(
                    text("DELETE FROM memories_fts WHERE incident_id = :id"),
                    {"id": memory.incident_id},
                )
                session.execute(
                    text("INSERT INTO memories_fts (incident_id, document) VALUES (:id, :doc)"),
                    {"id": memory.incident_id, "doc": doc},
                )

    def add_feedback(self, feedback: Feedback) -> None:
        """Record one human judgement (kept even before the incident's memory exists: an
        incident still open may be corrected, and its memory reads the feedback when written)."""
        with self.sessions.write() as session:
            session.add(
                FeedbackRow(
                    incident_id=feedback.incident_id,
                    author=feedback.author,
                    at=feedback.at,
                    correction=feedback.verdict.value == "correct",
                    body=feedback.model_dump_json(),
                )
            )

    def get(self, incident_id: str) -> Memory | None:
        """The memory of one incident with its feedback, or None."""
        with self.sessions.read() as session:
            row = session.get(MemoryRow, incident_id)
            if row is None:
                return None
            return _memory(row, _feedback(session, [incident_id]).get(incident_id, []))

    def feedback(self, incident_id: str) -> list[Feedback]:
        """Every judgement on one incident, oldest first."""
        with self.sessions.read() as session:
            return _feedback(session, [incident_id]).get(incident_id, [])

    def similar(
        self,
        signature: Signature,
        *,
        exclude: str | None = None,
        limit: int = 10,
    ) -> list[Match]:
        """Past incidents like ``signature``: structural match, then full-text rank, best first."""
        with self.sessions.read() as session:
            query = select(MemoryKeyRow.incident_id).where(MemoryKeyRow.key.in_(_keys(signature)))
            ids = set(session.scalars(query)) - {exclude}
            if not ids:
                return []
            rows = select(MemoryRow).where(MemoryRow.incident_id.in_(ids))
            found = {row.incident_id: row for row in session.scalars(rows)}
            said = _feedback(session, list(found))
            memories = [_memory(row, said.get(i, [])) for i, row in found.items()]
            memories = [m for m in memories if signature.overlaps(m.signature)]
            scores = _rank(session, [m.incident_id for m in memories], signature)
        matches = [Match(memory=m, score=scores.get(m.incident_id, 0.0)) for m in memories]
        matches.sort(key=lambda m: (-m.score, -m.memory.opened_at.timestamp()))
        return matches[:limit]

    def forget_incident(self, incident_id: str) -> int:
        """Delete one incident's memory and feedback; how many rows went."""
        with self.sessions.write() as session:
            return _delete(session, [incident_id])

    def forget_person(self, name: str) -> int:
        """Delete every judgement ``name`` gave; how many."""
        with self.sessions.write() as session:
            return _count(session.execute(delete(FeedbackRow).where(FeedbackRow.author == name)))

    def forget_before(self, cutoff: datetime) -> int:
        """Delete the memories of incidents opened before ``cutoff`` (and their feedback)."""
        with self.sessions.write() as session:
            old = select(MemoryRow.incident_id).where(MemoryRow.opened_at < cutoff)
            return _delete(session, list(session.scalars(old)))

    def count(self) -> int:
        with self.sessions.read() as session:
            return int(session.scalar(select(func.count()).select_from(MemoryRow)) or 0)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _keys(signature: Signature) -> list[str]:
    return [f"alert:{name}" for name in signature.alertnames]


def _memory(row: MemoryRow, feedback: Sequence[Feedback]) -> Memory:
    return Memory.model_validate_json(row.body).model_copy(update={"feedback": tuple(feedback)})


def _feedback(session: Session, ids: Sequence[str]) -> dict[str, list[Feedback]]:
    if not ids:
        return {}
    rows = session.scalars(
        select(FeedbackRow).where(FeedbackRow.incident_id.in_(ids)).order_by(FeedbackRow.id)
    )
    out: dict[str, list[Feedback]] = {}
    for row in rows:
        out.setdefault(row.incident_id, []).append(Feedback.model_validate_json(row.body))
    return out


def _rank(session: Session, ids: Sequence[str], signature: Signature) -> dict[str, float]:
    """Full-text rank of ``ids`` against the signature's words (0 for a memory no word hit)."""
    terms = list(dict.fromkeys(_TERM.findall(signature.document().lower())))[:MAX_TERMS]
    if not ids or not terms:
        return {}
    if _is_postgres(session):
        query = func.to_tsquery("simple", " | ".join(terms))
        rank = func.ts_rank(MemoryRow.search, query)
        rows = session.execute(
            select(MemoryRow.incident_id, rank).where(
                MemoryRow.incident_id.in_(ids), MemoryRow.search.bool_op("@@")(query)
            )
        )
        return {i: float(r) for i, r in rows}
    match = " OR ".join(f'"{t}"' for t in terms)  # words only: quoting cannot be escaped
    rows = session.execute(
        select(literal_column("incident_id"), literal_column("-bm25(memories_fts)"))
        .select_from(text("memories_fts"))
        .where(text("memories_fts MATCH :match"), literal_column("incident_id").in_(ids)),
        {"match": match},
    )
    return {str(i): float(r) for i, r in rows}


def _delete(session: Session, ids: Sequence[str]) -> int:
    if not ids:
        return 0
    gone = _count(session.execute(delete(MemoryRow).where(MemoryRow.incident_id.in_(ids))))
    session.execute(delete(MemoryKeyRow).where(MemoryKeyRow.incident_id.in_(ids)))
    said = session.execute(delete(FeedbackRow).where(FeedbackRow.incident_id.in_(ids)))
    if not _is_postgres(session):
        for incident_id in ids:
            session.execute(
                text("DELETE FROM memories_fts WHERE incident_id = :id"), {"id": incident_id}
            )
    return gone + _count(said)


def _count(result: object) -> int:
    """Rows a DELETE removed (a CursorResult's ``rowcount``)."""
    return int(getattr(result, "rowcount", 0) or 0)
