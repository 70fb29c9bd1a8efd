"""Intake persistence: record a batch of alert notifications in one transaction.

The caller supplies the decision (``absorb``: dedup, flapping, silences) as a function; this module
loads the previous states, applies it in order, and writes states, groups and the alerts of groups
that already have an incident. Concurrent batches are safe: SQLite serialises writers
(``BEGIN IMMEDIATE``); on PostgreSQL a batch first takes a transaction-level advisory lock, because
row locks cannot cover states and groups that do not exist yet (two deliveries of a new alert
would both be "new", and their groups' counters would overwrite each other). Flushes take the same
lock (``serialise``): a batch reads a group before it writes it back, and a flush committing in
between would otherwise lose its incident to the batch's older copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from nightowl.domain import Alert, AlertState, AlertStatus, IncidentStatus, IntakeCounts, utc
from nightowl.domain.intake import Absorb, GroupTiming, IngestOutcome
from nightowl.store.intake_tables import AlertGroupRow, AlertStateRow
from nightowl.store.rows import alert_values
from nightowl.store.sessions import Sessions, upsert
from nightowl.store.tables import AlertRow, IncidentRow

CHUNK = 500
INGEST_LOCK = 0x6E696768  # "nigh": PostgreSQL advisory lock key serialising intake batches


def serialise(session: Session) -> None:
    """On PostgreSQL, queue behind every other intake batch or flush (until this transaction
    ends); SQLite's ``BEGIN IMMEDIATE`` serialises writers already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK})


class IntakeStore:
    """Intake's persistence: alert states, groups and their incidents, on the shared database.

    Every ``ingest`` is one serialised write transaction, so concurrent webhooks (threads or
    processes) never lose or double an alert state. StoreError when the database fails.
    """

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)
        self.write = self.sessions.write

    def ingest(
        self, alerts: Sequence[Alert], now: datetime, absorb: Absorb, timing: GroupTiming
    ) -> IngestOutcome:
        """Absorb a batch of notifications into the alert states (``absorb`` decides new, updated
        or duplicate), route the changed ones to their groups and incidents, and say what
        happened.
        """
        with self.write() as session:
            serialise(session)
            states = load_states(session, sorted({a.fingerprint for a in alerts}), lock=True)
            counts = {
                "received": len(alerts),
                "new": 0,
                "updated": 0,
                "duplicates": 0,
                "silenced": 0,
                "flapping": 0,
                "attached": 0,
            }
            changed: dict[str, tuple[AlertState, Alert, dict[str, str]]] = {}
            verdicts: list[str] = []
            for alert in alerts:
                state, verdict, labels = absorb(alert, states.get(alert.fingerprint))
                verdicts.append(verdict)
                states[alert.fingerprint] = state
                counts["duplicates" if verdict == "duplicate" else verdict] += 1
                if verdict != "duplicate":
                    changed[alert.fingerprint] = (state, alert, labels)
                    counts["silenced"] += bool(state.silenced_by)
                    counts["flapping"] += state.flapping
            outcome = IngestOutcome(counts=IntakeCounts(), verdicts=verdicts)
            counts["attached"] = self._route(session, changed, states, now, timing, outcome)
            for alert in alerts:  # duplicates too: say which incident the alert already belongs to
                if (known := states[alert.fingerprint].incident_id) is not None:
                    outcome.incident_of.setdefault(alert.fingerprint, known)
            upsert_states(session, [states[fp] for fp in sorted({a.fingerprint for a in alerts})])
            outcome.counts = IntakeCounts(**counts)
            outcome.all_resolved = {
                i for i in outcome.incidents if not _any_firing(session, i, states)
            }
            return outcome

    def _route(
        self,
        session: Session,
        changed: dict[str, tuple[AlertState, Alert, dict[str, str]]],
        states: dict[str, AlertState],
        now: datetime,
        timing: GroupTiming,
        outcome: IngestOutcome,
    ) -> int:
        """Attach alerts to their group's open incident, or make their group due for a flush.

        Returns how many alerts were attached to an incident.
        """
        keys = sorted({s.group_key for s, _, _ in changed.values()})
        table = AlertGroupRow.__table__
        groups: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), CHUNK):
            query = select(table).where(table.c.group_key.in_(keys[start : start + CHUNK]))
            groups.update(
                {r["group_key"]: dict(r) for r in session.connection().execute(query).mappings()}
            )
        known = {g["incident_id"] for g in groups.values()} | {
            s.incident_id for s, _, _ in changed.values()
        }
        open_incidents = _open(session, known)
        pairs: list[tuple[str, Alert]] = []
        touched: set[str] = set()
        for state, alert, labels in changed.values():
            incident_id = state.incident_id if state.incident_id in open_incidents else None
            if state.incident_id and incident_id is None and alert.status is AlertStatus.FIRING:
                # Its incident is closed: a re-fire (even a flapping one) needs an incident again.
                state = state.model_copy(update={"incident_id": None})
                states[state.fingerprint] = state
            group = groups.setdefault(state.group_key, _new_group(state.group_key, labels, now))
            touched.add(state.group_key)
            if group["incident_id"] and group["incident_id"] not in open_incidents:
                group.update(incident_id=None, flushed_at=None, next_flush_at=None)
            incident_id = incident_id or (group["incident_id"] if not state.silenced_by else None)
            if incident_id:
                pairs.append((incident_id, alert))
                states[state.fingerprint] = state.model_copy(update={"incident_id": incident_id})
                outcome.incidents.add(incident_id)
                outcome.incident_of[state.fingerprint] = incident_id
                group["updates"] += 1
                if group["incident_id"] and group["next_flush_at"] is None:
                    group["next_flush_at"] = now + timing.interval
            elif not state.silenced_by and alert.status is AlertStatus.FIRING:
                group["pending"] += 1
                if group["next_flush_at"] is None:
                    group["next_flush_at"] = now + timing.wait
            if group["next_flush_at"] is not None and utc(group["next_flush_at"]) <= now:
                outcome.due_groups.append(state.group_key)
        _upsert_groups(session, [groups[k] for k in sorted(touched)])
        attach_many(session, pairs, now)
        return len(pairs)


def _new_group(key: str, labels: dict[str, str], now: datetime) -> dict[str, Any]:
    return {
        "group_key": key,
        "labels": labels,
        "incident_id": None,
        "created_at": now,
        "flushed_at": None,
        "next_flush_at": None,
        "repeat_at": None,
        "pending": 0,
        "updates": 0,
    }


def _upsert_groups(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    insert = upsert(session, AlertGroupRow)
    columns = [c.name for c in AlertGroupRow.__table__.columns if c.name != "group_key"]
    statement = insert.on_conflict_do_update(
        index_elements=["group_key"], set_={c: insert.excluded[c] for c in columns}
    )
    session.connection().execute(statement, list(rows))


def load_states(
    session: Session, fingerprints: Sequence[str], *, lock: bool = False
) -> dict[str, AlertState]:
    """Previous states, read with Core (no ORM identity map: this is the hot path of intake)."""
    table = AlertStateRow.__table__
    states: dict[str, AlertState] = {}
    for start in range(0, len(fingerprints), CHUNK):
        query = select(table).where(table.c.fingerprint.in_(fingerprints[start : start + CHUNK]))
        if lock and session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        for row in session.connection().execute(query).mappings():
            states[row["fingerprint"]] = state_from(row)
    return states


def upsert_states(session: Session, states: Sequence[AlertState]) -> None:
    """Insert or replace states: one statement, executed for many rows (compiled once)."""
    if not states:
        return
    insert = upsert(session, AlertStateRow)
    columns = [c.name for c in AlertStateRow.__table__.columns if c.name != "fingerprint"]
    statement = insert.on_conflict_do_update(
        index_elements=["fingerprint"], set_={c: insert.excluded[c] for c in columns}
    )
    session.connection().execute(statement, [state_values(s) for s in states])


def state_values(state: AlertState) -> dict[str, Any]:
    """The row values of one alert state."""
    return {
        "fingerprint": state.fingerprint,
        "source": state.source,
        "name": state.name,
        "status": state.status.value,
        "content_hash": state.content_hash,
        "labels": state.labels,
        "annotations": state.annotations,
        "starts_at": state.starts_at,
        "ends_at": state.ends_at,
        "generator_url": state.generator_url,
        "group_key": state.group_key,
        "incident_id": state.incident_id,
        "silenced_by": state.silenced_by,
        "inhibited_by": state.inhibited_by,
        "flapping": state.flapping,
        "transitions": [t.isoformat() for t in state.transitions],
        "first_seen": state.first_seen,
        "last_seen": state.last_seen,
        "received": state.received,
        "duplicates": state.duplicates,
    }


def state_from(row: Any) -> AlertState:
    """A state from a row (ORM object or Core mapping); trusted data, so not validated again."""
    get = row.__getitem__ if hasattr(row, "keys") else lambda k: getattr(row, k)
    return AlertState(
        fingerprint=get("fingerprint"),
        source=get("source"),
        name=get("name"),
        status=AlertStatus(get("status")),
        content_hash=get("content_hash"),
        labels=get("labels"),
        annotations=get("annotations"),
        starts_at=utc(get("starts_at")),
        ends_at=utc(e) if (e := get("ends_at")) else None,
        generator_url=get("generator_url"),
        group_key=get("group_key"),
        incident_id=get("incident_id"),
        silenced_by=get("silenced_by"),
        inhibited_by=get("inhibited_by"),
        flapping=bool(get("flapping")),
        transitions=tuple(datetime.fromisoformat(t).astimezone(UTC) for t in get("transitions")),
        first_seen=utc(get("first_seen")),
        last_seen=utc(get("last_seen")),
        received=get("received"),
        duplicates=get("duplicates"),
    )


def alert_of(state: AlertState) -> Alert:
    """An alert state as the Alert it last was (for attaching to an incident)."""
    return Alert(
        source=state.source,
        fingerprint=state.fingerprint,
        content_hash=state.content_hash,
        status=state.status,
        name=state.name,
        labels=state.labels,
        annotations=state.annotations,
        starts_at=state.starts_at,
        ends_at=state.ends_at,
        generator_url=state.generator_url,
    )


def attach_many(session: Session, pairs: Sequence[tuple[str, Alert]], now: datetime) -> None:
    """Record alert notifications on incidents (a repeat of the same content is ignored)."""
    if not pairs:
        return
    insert = upsert(session, AlertRow).on_conflict_do_nothing(
        index_elements=["incident_id", "content_hash"]
    )
    session.connection().execute(insert, [alert_values(i, a, now) for i, a in pairs])
    touched = sorted({i for i, _ in pairs})
    session.execute(update(IncidentRow).where(IncidentRow.id.in_(touched)).values(updated_at=now))


def _open(session: Session, ids: set[str | None]) -> set[str]:
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return set()
    query = (
        select(IncidentRow.id)
        .where(IncidentRow.id.in_(wanted))
        .where(IncidentRow.status != IncidentStatus.RESOLVED.value)
    )
    return set(session.scalars(query))


def _any_firing(session: Session, incident_id: str, known: dict[str, AlertState]) -> bool:
    if any(s.incident_id == incident_id and s.status is AlertStatus.FIRING for s in known.values()):
        return True
    query = (
        select(AlertStateRow.fingerprint)
        .where(AlertStateRow.incident_id == incident_id)
        .where(AlertStateRow.status == AlertStatus.FIRING.value)
        .limit(50)
    )
    return any(
        known.get(fp) is None or known[fp].status is AlertStatus.FIRING
        for fp in session.scalars(query)
    )


def _chunked(
    session: Session, table: Any, column: Any, keys: Sequence[str], *, lock: bool = False
) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        query = select(table).where(column.in_(keys[start : start + CHUNK]))
        if lock and session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        rows += session.scalars(query)
    return rows
