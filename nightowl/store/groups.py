"""Flushing alert groups: the moment a group becomes (or joins) an incident, in one transaction.

A group is due when its ``next_flush_at`` has passed. ``flush`` claims the group under a row lock
(SQLite: the write lock), so with several workers each due group is flushed exactly once; on
PostgreSQL it first takes the group's intake lock (``intake_locks``), so it queues behind the
intake batches of that group, which rewrite its row, and no others. The decision itself — which
incident, what is inhibited — is the caller's ``plan`` function.

Lock order inside a flush: the group, its states, then the incident, the order a batch takes them
in (states, then incidents), so a flush and a batch never wait for each other in a cycle. (A new
incident is inserted before its states are moved, as its alerts refer to it; no other transaction
can see it before the flush commits, so its row lock orders nothing.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from nightowl.domain import AlertState, AlertStatus, GroupState, IncidentStatus, utc
from nightowl.domain.intake import (
    FlushContext,
    FlushPlan,
    FlushResult,
    NewIncident,
    OpenIncident,
    Plan,
)
from nightowl.store import intake_bulk as bulk
from nightowl.store import intake_reads as reads
from nightowl.store.intake import (
    IntakeStore,
    alert_of,
    attach_many,
    state_from,
    touch_incidents,
)
from nightowl.store.intake_locks import intake_locks, is_postgres, lock
from nightowl.store.intake_tables import AlertGroupRow, AlertStateRow
from nightowl.store.sessions import member_of, pipelined, upsert
from nightowl.store.tables import IncidentRow


class GroupStore(IntakeStore):
    """The alert groups' side of intake: which groups are due, and flushing one into an incident."""

    def due(self, now: datetime, limit: int = 100) -> list[str]:
        """The keys of the groups whose wait is over, oldest due first, at most ``limit``."""
        query = (
            select(AlertGroupRow.group_key)
            .where(AlertGroupRow.next_flush_at <= now)
            .order_by(AlertGroupRow.next_flush_at)
            .limit(limit)
        )
        with self.write() as session:
            return list(session.scalars(query))

    def flush(
        self,
        group_key: str,
        now: datetime,
        plan: Plan,
        repeat: timedelta,
        window: timedelta,
        *,
        inhibits: bool = True,
        recent_cap: int = 100_000,
        recent: int | None = None,
    ) -> FlushResult | None:
        """Flush one due group; None when it is not (or no longer) due. The alerts first seen in
        the last minute are counted up to ``recent_cap`` (all storm control needs to know), unless
        the caller counted them already for a cycle of flushes (``recent``, see ``recent_alerts``)."""
        with self.write() as session:
            lock(session, intake_locks([group_key]))
            group = session.get(AlertGroupRow, group_key, with_for_update=True)
            if group is None or group.next_flush_at is None or group.next_flush_at > now:
                return None
            if group.incident_id:
                return self._update(group, now, repeat)
            states = _candidates(session, group_key)
            context = FlushContext(
                group=_group_from(group),
                candidates=states,
                firing=[state_from(r) for r in session.scalars(_firing())] if inhibits else [],
                open_incidents=_open_incidents(session, now - window),
                recent_alerts=_recent(session, now, recent_cap) if recent is None else recent,
                now=now,
            )
            decided = plan(context)
            with pipelined(session):  # nothing below reads a result: one round trip
                return _apply(session, group_key, decided, states, now + repeat, now)

    def recent_alerts(self, now: datetime, cap: int) -> int:
        """The alerts first seen in the minute before ``now``, counted up to ``cap``: once for a
        cycle of flushes (in a storm a hundred groups fall due at once, and counting the storm
        again for each cost a flush a third of its time)."""
        with self.sessions.read() as session:
            return _recent(session, now, cap)

    def _update(self, group: AlertGroupRow, now: datetime, repeat: timedelta) -> FlushResult:
        updates, group.updates, group.next_flush_at, group.flushed_at = group.updates, 0, None, now
        return FlushResult(
            "update",
            group.group_key,
            group.incident_id,
            updates,
            f"{updates} alert notification(s) since the last flush",
        )

    def repeats(self, now: datetime, repeat: timedelta, limit: int = 100) -> list[FlushResult]:
        """Groups whose incident is still open after ``repeat_interval``: remind the humans.

        Takes no intake lock: only ``repeat_at`` is written here, a column intake batches never
        write back, and the row lock of each update orders it with a flush of the same group.
        """
        with self.write() as session:
            query = (
                select(AlertGroupRow, IncidentRow.status)
                .join(IncidentRow, IncidentRow.id == AlertGroupRow.incident_id)
                .where(AlertGroupRow.repeat_at <= now)
                .limit(limit)
            )
            out = []
            for group, status in session.execute(query):
                if status == IncidentStatus.RESOLVED.value:
                    group.repeat_at = None
                    continue
                group.repeat_at = now + repeat
                out.append(
                    FlushResult(
                        "repeat", group.group_key, group.incident_id, 0, f"incident still {status}"
                    )
                )
            return out


def _candidates(session: Session, group_key: str) -> list[AlertState]:
    """The group's alerts that a flush attaches: firing, not silenced, in no incident yet (read
    with Core, as intake reads states: loading ORM rows cost a flush more than its writes)."""
    if is_postgres(session):
        return [state_from(row) for row in reads.candidates(session, group_key)]
    table = AlertStateRow.__table__
    query = (
        select(table)
        .where(table.c.group_key == group_key)
        .where(table.c.incident_id.is_(None))
        .where(table.c.status == AlertStatus.FIRING.value)
        .where(table.c.silenced_by.is_(None))
    )
    return [state_from(r) for r in session.connection().execute(query).mappings()]


def _apply(
    session: Session,
    group_key: str,
    decided: FlushPlan,
    states: list[AlertState],
    repeat_at: datetime,
    now: datetime,
) -> FlushResult:
    """Write what the plan decided, in the lock order of the module's docstring: the states, then
    the incident, then the group (its row is locked already)."""
    connection = session.connection()
    for fingerprint, reason in decided.inhibited.items():
        connection.execute(
            update(AlertStateRow)
            .where(AlertStateRow.fingerprint == fingerprint)
            .values(inhibited_by=reason)
        )
    attach = [s for s in states if s.fingerprint not in decided.inhibited]
    flushed = {"pending": 0, "next_flush_at": None, "flushed_at": now}
    group = update(AlertGroupRow).where(AlertGroupRow.group_key == group_key)
    if decided.incident_id is None or not attach:
        connection.execute(group.values(flushed))
        return FlushResult("suppressed", group_key, None, 0, decided.reason)
    if decided.new_incident:
        _create(session, decided.new_incident, now)
    _attach(session, decided.incident_id, attach, now)
    connection.execute(
        group.values({**flushed, "incident_id": decided.incident_id, "repeat_at": repeat_at})
    )
    kind = "opened" if decided.new_incident else "joined"
    return FlushResult(kind, group_key, decided.incident_id, len(attach), decided.reason)


def _attach(session: Session, incident_id: str, states: list[AlertState], now: datetime) -> None:
    """The states join the incident and are attached to it as alerts: on PostgreSQL in one
    statement that copies the rows (``intake_bulk.move_and_attach``), elsewhere from Python."""
    fingerprints = [s.fingerprint for s in states]
    if is_postgres(session):
        bulk.move_and_attach(session, incident_id, fingerprints, now)
        touch_incidents(session, {incident_id}, now)
        return
    for wanted in member_of(session, AlertStateRow.fingerprint, fingerprints):
        session.connection().execute(
            update(AlertStateRow).where(wanted).values(incident_id=incident_id)
        )
    attach_many(session, [(incident_id, alert_of(s)) for s in states], now)


def _recent(session: Session, now: datetime, cap: int) -> int:
    """Alerts first seen in the minute before ``now``, counted up to ``cap``: in a storm every
    flush asks, and counting all of them each time would read the whole storm again."""
    since = now - timedelta(minutes=1)
    first = select(AlertStateRow.fingerprint).where(AlertStateRow.first_seen >= since).limit(cap)
    return session.scalar(select(func.count()).select_from(first.subquery())) or 0


def _firing() -> Select[AlertStateRow]:
    return (
        select(AlertStateRow)
        .where(AlertStateRow.status == AlertStatus.FIRING.value)
        .where(AlertStateRow.silenced_by.is_(None))
        .limit(10_000)
    )


def _open_incidents(session: Session, since: datetime) -> list[OpenIncident]:
    if is_postgres(session):
        return [
            OpenIncident(i, key, service, title, utc(opened))
            for i, key, service, title, opened in reads.open_incidents(session, since, 500)
        ]
    c = IncidentRow.__table__.c
    query = (
        select(c.id, c.correlation_key, c.service, c.title, c.opened_at)
        .where(c.status != IncidentStatus.RESOLVED.value)
        .where(c.opened_at >= since)
        .order_by(c.opened_at.desc())
        .limit(500)
    )
    return [OpenIncident(*row) for row in session.connection().execute(query)]


def _create(session: Session, new: NewIncident, now: datetime) -> None:
    values = {
        "id": new.id,
        "correlation_key": new.correlation_key,
        "title": new.title,
        "status": IncidentStatus.OPEN.value,
        "service": new.service,
        "severity": new.severity.value if new.severity else None,
        "opened_at": now,
        "updated_at": now,
    }
    insert = upsert(session, IncidentRow).inline().values(values)  # inline: no RETURNING
    session.connection().execute(insert.on_conflict_do_nothing(index_elements=["id"]))


def _group_from(row: AlertGroupRow) -> GroupState:
    return GroupState(
        group_key=row.group_key,
        labels=row.labels,
        incident_id=row.incident_id,
        created_at=row.created_at,
        flushed_at=row.flushed_at,
        next_flush_at=row.next_flush_at,
        repeat_at=row.repeat_at,
        pending=row.pending,
        updates=row.updates,
    )
