"""Report documents in the database: the HTML page, the postmortem model and the chart snapshot
of each incident's report, so that any replica serves a report another one wrote (no shared
disk). The Markdown is on the incident itself (``incidents.report``).

One row per (incident, document); writing a document again replaces it, so a re-run report step
is idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.store.sessions import Sessions, put_row
from nightowl.store.tables import Base, UTCDateTime

HTML = "html"
MODEL = "postmortem.json"
CHARTS = "charts.json"
NAMES = (HTML, MODEL, CHARTS)
"""The documents a report has besides its Markdown."""


class ReportDocumentRow(Base):
    """One document of one incident's report, as text."""

    __tablename__ = "report_documents"

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportDocuments:
    """Reads and writes report documents. Thread-safe; every call is one short transaction.
    StoreError when the database cannot be used; ValueError for a name not in ``NAMES``."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def put(self, incident_id: str, documents: Mapping[str, str], at: datetime) -> None:
        """Store ``documents`` (name → text) for the incident, replacing earlier ones."""
        unknown = set(documents) - set(NAMES)
        if unknown:
            raise ValueError(f"unknown report documents {sorted(unknown)}; known: {NAMES}")
        with self.sessions.write() as session:
            for name, body in documents.items():
                keys = {"incident_id": incident_id, "name": name}
                put_row(session, ReportDocumentRow, keys, {"body": body, "stored_at": at})

    def get(self, incident_id: str) -> dict[str, str]:
        """The incident's stored documents (name → text); empty before its report is written."""
        query = select(ReportDocumentRow.name, ReportDocumentRow.body).where(
            ReportDocumentRow.incident_id == incident_id
        )
        with self.sessions.read() as session:
            return {row.name: row.body for row in session.execute(query)}
