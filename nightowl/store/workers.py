"""The heartbeats of the worker processes of a cluster: who is alive, who stopped beating.

Each worker (and each ``all`` process) writes its DBOS executor id and the time every
``cluster.heartbeat_seconds``. A live worker that finds one silent for ``cluster.dead_after_seconds``
claims it (one ``DELETE`` of its row: of several live workers that notice at once, exactly one
gets the row) and recovers that executor's pending workflows through DBOS.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.store.sessions import Sessions, put_row
from nightowl.store.tables import Base, UTCDateTime


class WorkerRow(Base):
    """One worker process: its executor id, role, host and last heartbeat."""

    __tablename__ = "workers"

    executor_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class WorkerRegistry:
    """The workers' heartbeats on the shared database. Safe from several threads and
    processes; StoreError when the database fails."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def beat(self, executor_id: str, role: str, host: str, now: datetime) -> None:
        """Record that ``executor_id`` is alive at ``now`` (its first beat also its start)."""
        with self.sessions.write() as session:
            put_row(
                session,
                WorkerRow,
                {"executor_id": executor_id},
                {"role": role, "host": host, "beat_at": now},
                on_insert={"started_at": now},
            )

    def silent(self, before: datetime) -> list[str]:
        """The executor ids whose last beat is older than ``before``."""
        with self.sessions.read() as session:
            query = select(WorkerRow.executor_id).where(WorkerRow.beat_at < before)
            return list(session.scalars(query.order_by(WorkerRow.beat_at).limit(100)))

    def claim(self, executor_id: str, before: datetime) -> bool:
        """Take a silent worker's row away, if it is still silent and nobody took it first:
        True for exactly one caller, who then recovers its workflows."""
        with self.sessions.write() as session:
            gone = session.execute(
                delete(WorkerRow)
                .where(WorkerRow.executor_id == executor_id)
                .where(WorkerRow.beat_at < before)
            )
            return bool(getattr(gone, "rowcount", 0))

    def alive(self) -> list[str]:
        """Every executor id with a row (beating, or silent and not yet claimed)."""
        with self.sessions.read() as session:
            return list(session.scalars(select(WorkerRow.executor_id)))
