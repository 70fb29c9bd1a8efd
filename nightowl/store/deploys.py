"""Deploys pushed to nightowl (``POST /api/v1/deploys``, ``nightowl deploy record``).

Any CI pipeline can tell nightowl about a deploy; ``DeployLog`` keeps them in the ``deploys``
table and ``RecordedDeploys`` serves them to the gather stage as a ``DeploySource``
(``kind: recorded``, always available). Recording is idempotent: the same service, version and
time is stored once, so a pipeline may retry its POST.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import Engine, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.domain import Deploy, Model
from nightowl.settings import PluginConfig, Settings
from nightowl.store.database import migrated_engine
from nightowl.store.sessions import Sessions, upsert
from nightowl.store.tables import Base, UTCDateTime


class DeployRow(Base):
    """One pushed deploy; the same service, version and time is stored once (a re-push is a
    no-op).
    """

    __tablename__ = "deploys"
    __table_args__ = (UniqueConstraint("service", "version", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[str] = mapped_column(String(200))
    previous_version: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    author: Mapped[str | None] = mapped_column(String(200))
    commit: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Recorded(Model):
    """The outcome of recording a deploy: its id, and whether it was new."""

    id: int
    created: bool
    deploy: Deploy


class DeployLog:
    """Record and read pushed deploys. Thread-safe; each call is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    @classmethod
    def open(cls, url: str) -> DeployLog:
        """A log on ``url`` with the schema migrated (StoreError when unreachable)."""
        return cls(migrated_engine(url))

    def close(self) -> None:
        """Close the engine's pooled connections (call once, when the log is no longer needed)."""
        self.sessions.engine.dispose()

    def record(self, deploy: Deploy) -> Recorded:
        """Store ``deploy`` (once); ``previous_version`` defaults to the service's last version."""
        with self.sessions.write() as session:
            if deploy.previous_version is None:
                before = session.scalar(
                    select(DeployRow.version)
                    .where(DeployRow.service == deploy.service, DeployRow.at < deploy.at)
                    .order_by(DeployRow.at.desc())
                    .limit(1)
                )
                deploy = deploy.model_copy(update={"previous_version": before})
            values = deploy.model_dump() | {"recorded_at": datetime.now(UTC)}
            statement = upsert(session, DeployRow).values(values).on_conflict_do_nothing()
            created = session.execute(statement.returning(DeployRow.id)).first() is not None
            row = session.scalars(
                select(DeployRow).where(
                    DeployRow.service == deploy.service,
                    DeployRow.version == deploy.version,
                    DeployRow.at == deploy.at,
                )
            ).one()
            return Recorded(id=row.id, created=created, deploy=_deploy(row))

    def list(
        self, service: str | None, start: datetime, end: datetime, limit: int = 1000
    ) -> list[Deploy]:
        """Deploys in [start, end], oldest first."""
        query = select(DeployRow).where(DeployRow.at >= start, DeployRow.at <= end)
        if service is not None:
            query = query.where(DeployRow.service == service)
        with self.sessions.read() as session:
            rows = session.scalars(query.order_by(DeployRow.at, DeployRow.id).limit(limit))
            return [_deploy(row) for row in rows]

    def count(self) -> int:
        """How many deploys are stored: a cheap query that proves the database answers."""
        with self.sessions.read() as session:
            return int(session.scalar(select(func.count()).select_from(DeployRow)) or 0)


class RecordedDeploys:
    """The pushed deploys as a DeploySource (``kind: recorded``). Raises StoreError on failure."""

    def __init__(self, name: str, log: DeployLog) -> None:
        self.name = name
        self.log = log

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> RecordedDeploys:
        """The source on the settings' store (migrated on open), named after its plugin entry."""
        return cls(plugin.name, DeployLog.open(settings.store_url))

    async def check(self) -> None:
        """Prove the store answers (one count query off the event loop); StoreError if not."""
        await asyncio.to_thread(self.log.count)

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        """Pushed deploys in [start, end], oldest first, read in a worker thread."""
        return await asyncio.to_thread(self.log.list, service, start, end)


def _deploy(row: DeployRow) -> Deploy:
    return Deploy(
        service=row.service,
        version=row.version,
        previous_version=row.previous_version,
        at=row.at,
        author=row.author,
        commit=row.commit,
        summary=row.summary,
        source=row.source,
    )
