"""The observations a gather stage read, stored once per round and passed on by reference.

Observations are the largest thing an incident produces (every metric series, log line, pod and
event in scope). Handing them from stage to stage inside the workflow's step results would copy
them into the DBOS system database once per step; instead the engine saves them here once, under a
reference (``<incident id>/<round key>``), and the stages that need them load them back. The body
is zlib-compressed JSON. Saving under an existing reference replaces it (a gather that ran again
after a crash), so a re-run is harmless.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import Engine, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.domain import Observations
from nightowl.store.sessions import Sessions, put_row
from nightowl.store.tables import Base, UTCDateTime


class ObservationRow(Base):
    """One round's observations, compressed JSON under its reference."""

    __tablename__ = "observations"

    ref: Mapped[str] = mapped_column(String(300), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(200), index=True)
    size: Mapped[int] = mapped_column(Integer)
    """Bytes of the uncompressed JSON (for the operator's sense of what an incident holds)."""
    body: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ObservationStore:
    """Observations by reference. Thread-safe (one short transaction per call); raises StoreError
    when the database cannot be used."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def save(self, incident_id: str, key: str, observations: Observations, at: datetime) -> str:
        """Store ``observations`` under ``<incident_id>/<key>`` (replacing it); return the ref."""
        ref = f"{incident_id}/{key}"
        raw = observations.model_dump_json().encode()
        values = {
            "incident_id": incident_id,
            "size": len(raw),
            "body": zlib.compress(raw, 6),
            "saved_at": at,
        }
        with self.sessions.write() as session:
            put_row(session, ObservationRow, {"ref": ref}, values)
        return ref

    def load(self, ref: str) -> Observations | None:
        """The observations stored under ``ref``; None when there are none (deleted or unknown)."""
        with self.sessions.read() as session:
            body = session.scalar(select(ObservationRow.body).where(ObservationRow.ref == ref))
        if body is None:
            return None
        return Observations.model_validate_json(zlib.decompress(body))

    def forget(self, incident_id: str) -> int:
        """Delete every stored round of an incident; how many were deleted."""
        with self.sessions.write() as session:
            done = session.execute(
                delete(ObservationRow).where(ObservationRow.incident_id == incident_id)
            )
        return int(getattr(done, "rowcount", 0) or 0)
