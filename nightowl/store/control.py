"""Control state shared by every worker through the database: the kill switch, and the counts the
circuit breakers read.

The kill switch is a row, not a setting: turning it on (CLI or API) is one committed write, and
every check reads the row afresh (no cache), so the next write on any worker — checked immediately
before it happens — sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.types import JSON

from nightowl.domain import ActionStatus, IncidentStatus, KillSwitch
from nightowl.domain.control import OtherWrite
from nightowl.store.sessions import Sessions, put_row
from nightowl.store.tables import ActionRow, Base, IncidentRow, UTCDateTime

KILLSWITCH = "killswitch"
WRITES = (ActionStatus.SUCCEEDED.value, ActionStatus.FAILED.value, ActionStatus.ROLLED_BACK.value)
"""Action statuses that mean a real write was attempted (dry runs are not counted)."""


class ControlRow(Base):
    """One named piece of control state (``killswitch``, ...), as JSON, with when it last
    changed.
    """

    __tablename__ = "control"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ControlStore:
    """Reads and writes control rows. Thread-safe; every read goes to the database."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def killswitch(self) -> KillSwitch:
        """The kill switch as stored now; off (never set) when no one has touched it."""
        with self.sessions.read() as session:
            row = session.get(ControlRow, KILLSWITCH)
            return KillSwitch() if row is None else KillSwitch.model_validate(row.value)

    def set_killswitch(self, on: bool, *, by: str, reason: str, at: datetime) -> KillSwitch:
        """Turn the kill switch on or off, saying who and why; every worker reads it before each
        write.
        """
        state = KillSwitch(on=on, by=by, reason=reason, at=at)
        with self.sessions.write() as session:
            put(session, KILLSWITCH, state.model_dump(mode="json"), at)
        return state

    def writes_for_service(self, service: str, since: datetime) -> int:
        """Real writes (not dry runs) on ``service`` that started at or after ``since``."""
        query = select(ActionRow.body).where(
            ActionRow.service == service, ActionRow.status.in_(WRITES)
        )
        with self.sessions.read() as session:
            bodies = list(session.scalars(query))
        return sum(1 for b in bodies if datetime.fromisoformat(b["started_at"]) >= since)

    def writes_by_others(
        self, incident_id: str, services: Iterable[str], since: datetime
    ) -> list[OtherWrite]:
        """Real writes on any of ``services`` by incidents other than ``incident_id``, still
        unresolved (a resolved incident's fault is over), that started at or after ``since``,
        oldest first."""
        query = (
            select(ActionRow.incident_id, ActionRow.kind, ActionRow.service, ActionRow.body)
            .join(IncidentRow, IncidentRow.id == ActionRow.incident_id)
            .where(
                ActionRow.incident_id != incident_id,
                ActionRow.service.in_(sorted(set(services))),
                ActionRow.status.in_(WRITES),
                IncidentRow.status != IncidentStatus.RESOLVED.value,
            )
        )
        with self.sessions.read() as session:
            rows = list(session.execute(query))
        found = [
            OtherWrite(incident_id=i, kind=k, service=s, at=datetime.fromisoformat(b["started_at"]))
            for i, k, s, b in rows
        ]
        return sorted((w for w in found if w.at >= since), key=lambda w: w.at)

    def writes_for_incident(self, incident_id: str) -> int:
        """Real writes (not dry runs) made so far in the incident: what the per-incident breaker
        counts.
        """
        query = select(func.count()).where(
            ActionRow.incident_id == incident_id, ActionRow.status.in_(WRITES)
        )
        with self.sessions.read() as session:
            return session.scalar(query) or 0


def put(session: Session, key: str, value: dict[str, Any], at: datetime) -> None:
    """Write control value ``key`` inside the caller's transaction (insert or replace)."""
    values = {"value": value, "updated_at": at}
    put_row(session, ControlRow, {"key": key}, values)


def get(session: Session, key: str) -> dict[str, Any] | None:
    """Control value ``key``, locked for the rest of the caller's transaction; None if never
    written.
    """
    row = session.get(ControlRow, key, with_for_update=True)
    return None if row is None else row.value
