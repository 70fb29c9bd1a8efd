"""Canary analyses: one row per analysed deploy, its measurements and verdict kept whole.

The row is keyed by the analysis's id (the workflow's), so starting the same analysis twice
keeps one row, and a measurement recorded again (a step re-run after a crash) replaces the
earlier one of the same index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, String, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.domain.canary import CanaryRun, Measurement, Verdict
from nightowl.errors import NotFoundError
from nightowl.store.sessions import Sessions, upsert
from nightowl.store.tables import Base, UTCDateTime


class CanaryRow(Base):
    """One deploy's analysis; ``body`` is the ``CanaryRun`` as JSON."""

    __tablename__ = "canary_runs"

    id: Mapped[str] = mapped_column(String(400), primary_key=True)
    service: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    verdict: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class CanaryStore:
    """Read and write canary analyses. Thread-safe; each call is one short transaction;
    StoreError when the database fails, NotFoundError for an unknown id."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def start(self, run: CanaryRun) -> CanaryRun:
        """Keep ``run`` unless an analysis of that id exists; return the stored one."""
        with self.sessions.write() as session:
            values = {
                "id": run.id, "service": run.deploy.service, "version": run.deploy.version,
                "started_at": run.started_at, "verdict": None, "body": run.model_dump(mode="json"),
            }  # fmt: skip
            session.execute(upsert(session, CanaryRow).values(values).on_conflict_do_nothing())
        return self.get(run.id)

    def measured(self, run_id: str, measurement: Measurement) -> CanaryRun:
        """Record one interval's measurement (replacing one of the same index)."""
        return self._update(
            run_id,
            lambda run: run.model_copy(
                update={
                    "measurements": tuple(
                        sorted(
                            [m for m in run.measurements if m.index != measurement.index]
                            + [measurement],
                            key=lambda m: m.index,
                        )
                    )
                }
            ),
        )

    def concluded(
        self, run_id: str, verdict: Verdict, summary: str, incident_id: str | None = None
    ) -> CanaryRun:
        """Record the analysis's verdict (and the incident a failure opened)."""
        change = {"verdict": verdict, "summary": summary, "incident_id": incident_id}
        return self._update(run_id, lambda run: run.model_copy(update=change))

    def get(self, run_id: str) -> CanaryRun:
        with self.sessions.read() as session:
            row = session.get(CanaryRow, run_id)
            if row is None:
                raise NotFoundError(f"no canary analysis {run_id!r}")
            return CanaryRun.model_validate(row.body)

    def list(self, service: str | None = None, limit: int = 100) -> list[CanaryRun]:
        """The newest analyses first (of one service when given)."""
        query = select(CanaryRow).order_by(CanaryRow.started_at.desc()).limit(limit)
        if service is not None:
            query = query.where(CanaryRow.service == service)
        with self.sessions.read() as session:
            return [CanaryRun.model_validate(r.body) for r in session.scalars(query)]

    def _update(self, run_id: str, change: Any) -> CanaryRun:
        with self.sessions.write() as session:
            row = session.get(CanaryRow, run_id)
            if row is None:
                raise NotFoundError(f"no canary analysis {run_id!r}")
            run: CanaryRun = change(CanaryRun.model_validate(row.body))
            row.body = run.model_dump(mode="json")
            row.verdict = run.verdict.value if run.verdict else None
            return run
