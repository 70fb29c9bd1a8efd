"""The trace an incident belongs to: its W3C ``traceparent``, stored once when its workflow is
first started, so every process that runs or recovers the workflow continues the same trace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, String, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.store.sessions import Sessions, upsert
from nightowl.store.tables import Base, UTCDateTime


class TraceRow(Base):
    """One incident's trace context (``00-<trace id>-<span id>-<flags>``)."""

    __tablename__ = "incident_traces"

    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    traceparent: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TraceStore:
    """Reads and claims incidents' trace contexts. Thread-safe; the first claim wins, so two
    processes starting the same workflow agree on one trace."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def get(self, incident_id: str) -> str | None:
        """The incident's ``traceparent``, None when it has none (tracing was off)."""
        with self.sessions.read() as session:
            row = session.get(TraceRow, incident_id)
            return None if row is None else row.traceparent

    def claim(self, incident_id: str, traceparent: str, at: datetime) -> str:
        """Store ``traceparent`` unless the incident has one; return the one stored."""
        with self.sessions.write() as session:
            statement = (
                upsert(session, TraceRow)
                .values(incident_id=incident_id, traceparent=traceparent, created_at=at)
                .on_conflict_do_nothing(index_elements=["incident_id"])
            )
            session.execute(statement)
        with self.sessions.read() as session:
            stored = session.scalar(
                select(TraceRow.traceparent).where(TraceRow.incident_id == incident_id)
            )
        return stored or traceparent
