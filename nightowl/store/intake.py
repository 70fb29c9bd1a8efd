"""Intake persistence: record a batch of alert notifications in one transaction.

The caller supplies the decision (``absorb``: dedup, flapping, silences) as a function; this module
loads the previous states, applies it in order, and writes states, groups and the alerts of groups
that already have an incident. Concurrent batches are safe: SQLite serialises writers
(``BEGIN IMMEDIATE``); on PostgreSQL a batch first locks the groups its alerts route to
(``intake_locks``: advisory locks, because row locks cannot cover groups that do not exist yet),
so batches of different groups run side by side while two batches of one group queue; two
deliveries of one new alert that reached different groups are caught when the states are
written (``intake_bulk``), and the batch that lost is run again. A flush locks its group the same
way: a batch reads a group before it writes it back, and a flush committing in between would
otherwise lose its incident to the batch's older copy.

Round trips on PostgreSQL, per batch: the locks and the silences (one statement), the previous
states with their incidents' status, the groups with theirs, the writes (groups, alerts, the
incidents' ``updated_at``, states as arrays: sent together in psycopg's pipeline mode), and,
only when a batch resolves alerts of an incident whose other alerts it does not carry, one
look-up of what still fires.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from nightowl.domain import (
    Alert,
    AlertState,
    AlertStatus,
    IncidentStatus,
    IntakeCounts,
    Silence,
    utc,
)
from nightowl.domain.intake import Absorb, GroupOf, GroupTiming, IngestOutcome
from nightowl.store import intake_bulk as bulk
from nightowl.store import intake_reads as reads
from nightowl.store.intake_bulk import RacedError
from nightowl.store.intake_locks import intake_locks, is_postgres, lock, lock_and_read_silences
from nightowl.store.intake_tables import AlertGroupRow, AlertStateRow
from nightowl.store.rows import alert_values
from nightowl.store.sessions import Sessions, member_of, pipelined, upsert
from nightowl.store.tables import AlertRow, IncidentRow

RACE_ATTEMPTS = 5
"""Runs of a batch that keeps racing other transactions over new alerts before it fails (each
run sees what the previous one lost to, so a second run is nearly always the last)."""
RESOLVED = IncidentStatus.RESOLVED.value
Changed = dict[str, tuple[AlertState, Alert, dict[str, str]]]
"""fingerprint → (its new state, the notification, its group's labels), for the alerts that changed."""


class IntakeStore:
    """Intake's persistence: alert states, groups and their incidents, on the shared database.

    Every ``ingest`` is one write transaction that locks what it reads (see the module's
    docstring), so concurrent webhooks (threads or processes) never lose or double an alert state
    or a group counter. StoreError when the database fails.
    """

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)
        self.write = self.sessions.write

    def ingest(
        self,
        alerts: Sequence[Alert],
        now: datetime,
        absorb: Absorb,
        group_of: GroupOf,
        timing: GroupTiming,
    ) -> IngestOutcome:
        """Absorb a batch of notifications into the alert states (``absorb`` decides new, updated
        or duplicate, given the silences in force), route the changed ones to their groups
        (``group_of`` names them before anything is read, so that they can be locked) and
        incidents, and say what happened. A batch that raced another over a new alert
        (``intake_bulk.RacedError``) is run again, a bounded number of times.
        """
        for attempt in range(1, RACE_ATTEMPTS + 1):
            try:
                return self._ingest_once(alerts, now, absorb, group_of, timing)
            except RacedError:
                if attempt == RACE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _ingest_once(
        self,
        alerts: Sequence[Alert],
        now: datetime,
        absorb: Absorb,
        group_of: GroupOf,
        timing: GroupTiming,
    ) -> IngestOutcome:
        fingerprints = sorted({a.fingerprint for a in alerts})
        routed = {group_of(a) for a in alerts}
        with self.write() as session:
            silences = lock_and_read_silences(session, intake_locks(routed), now)
            states, open_ids = _previous(session, fingerprints)
            new = set(fingerprints) - states.keys()
            counts, changed, verdicts = _absorb_all(alerts, states, absorb, silences)
            if late := {s.group_key for s, _, _ in changed.values()} - routed:
                # group_of and absorb disagree (not expected): lock those groups too, out of the
                # global order, so a deadlock becomes possible, and PostgreSQL breaks it.
                lock(session, intake_locks(late))
            outcome = IngestOutcome(counts=IntakeCounts(), verdicts=verdicts)
            groups, pairs = self._route(session, changed, states, open_ids, now, timing, outcome)
            counts["attached"] = len(pairs)
            for alert in alerts:  # duplicates too: say which incident the alert already belongs to
                if (known := states[alert.fingerprint].incident_id) is not None:
                    outcome.incident_of.setdefault(alert.fingerprint, known)
            with pipelined(session):  # nothing below reads a result: one round trip
                _upsert_groups(session, groups)
                attach_many(session, pairs, now)
                check = write_states(session, [states[fp] for fp in fingerprints], new)
            check()
            outcome.counts = IntakeCounts(**counts)
            outcome.all_resolved = _all_resolved(session, outcome.incidents, states)
            return outcome

    def _route(
        self,
        session: Session,
        changed: Changed,
        states: dict[str, AlertState],
        open_incidents: set[str],
        now: datetime,
        timing: GroupTiming,
        outcome: IngestOutcome,
    ) -> tuple[list[dict[str, Any]], list[tuple[str, Alert]]]:
        """Attach alerts to their group's open incident, or make their group due for a flush.

        Returns the groups to write and the (incident, alert) pairs to attach.
        """
        groups = _groups(session, sorted({s.group_key for s, _, _ in changed.values()}))
        open_incidents |= {g.pop("incident_open") for g in groups.values()} - {None}
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
        return [groups[k] for k in sorted(touched)], pairs


def _absorb_all(
    alerts: Sequence[Alert],
    states: dict[str, AlertState],
    absorb: Absorb,
    silences: Sequence[Silence],
) -> tuple[dict[str, int], Changed, list[str]]:
    """Apply ``absorb`` to every alert in order (``states`` updated in place): the counts, the
    alerts that changed, and one verdict per alert."""
    counts = dict.fromkeys(
        ("received", "new", "updated", "duplicates", "silenced", "flapping", "attached"), 0
    )
    counts["received"] = len(alerts)
    changed: Changed = {}
    verdicts: list[str] = []
    for alert in alerts:
        state, verdict, labels = absorb(alert, states.get(alert.fingerprint), silences)
        verdicts.append(verdict)
        states[alert.fingerprint] = state
        counts["duplicates" if verdict == "duplicate" else verdict] += 1
        if verdict != "duplicate":
            changed[alert.fingerprint] = (state, alert, labels)
            counts["silenced"] += bool(state.silenced_by)
            counts["flapping"] += state.flapping
    return counts, changed, verdicts


def _previous(
    session: Session, fingerprints: Sequence[str]
) -> tuple[dict[str, AlertState], set[str]]:
    """The previous states (row-locked on PostgreSQL) and which of their incidents are open, read
    together (``member_of``: one query on PostgreSQL)."""
    states: dict[str, AlertState] = {}
    open_ids: set[str] = set()
    if is_postgres(session):
        for values, is_open in reads.previous(session, fingerprints):
            states[values["fingerprint"]] = state = state_from(values)
            if is_open:
                open_ids.add(str(state.incident_id))
        return states, open_ids
    table, incidents = AlertStateRow.__table__, IncidentRow.__table__
    for wanted in member_of(session, table.c.fingerprint, fingerprints):
        query = (
            select(table, incidents.c.status.label("incident_status"))
            .outerjoin(incidents, incidents.c.id == table.c.incident_id)
            .where(wanted)
        )
        for row in session.connection().execute(query).mappings():
            states[row["fingerprint"]] = state_from(row)
            if row["incident_status"] not in (None, RESOLVED):
                open_ids.add(row["incident_id"])
    return states, open_ids


def _groups(session: Session, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored groups of ``keys`` (locked by the batch), each with ``incident_open``: its
    incident's id when that incident is open, else None."""
    if not keys:
        return {}
    if is_postgres(session):
        return reads.groups(session, keys)
    table, incidents = AlertGroupRow.__table__, IncidentRow.__table__
    open_ = (incidents.c.status != RESOLVED).label("open_")
    groups: dict[str, dict[str, Any]] = {}
    for wanted in member_of(session, table.c.group_key, keys):
        query = (
            select(table, open_)
            .outerjoin(incidents, incidents.c.id == table.c.incident_id)
            .where(wanted)
        )
        for row in session.connection().execute(query).mappings():
            group = {c.name: row[c.name] for c in table.columns}
            group["incident_open"] = group["incident_id"] if row["open_"] else None
            groups[group["group_key"]] = group
    return groups


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
    if is_postgres(session):
        reads.upsert_groups(session, rows)
        return
    insert = upsert(session, AlertGroupRow)
    # ``repeat_at`` is the reminders' (``GroupStore.repeats``, which takes no group lock): a batch
    # never changes it, so it must not write back the copy it read.
    kept = ("group_key", "repeat_at")
    columns = [c.name for c in AlertGroupRow.__table__.columns if c.name not in kept]
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
    for wanted in member_of(session, table.c.fingerprint, fingerprints):
        query = select(table).where(wanted)
        if lock and session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        for row in session.connection().execute(query).mappings():
            states[row["fingerprint"]] = state_from(row)
    return states


def write_states(
    session: Session, states: Sequence[AlertState], new: set[str]
) -> Callable[[], None]:
    """Write a batch's states (``new``: those it found no row for); the returned check raises
    RacedError when another transaction inserted one of the new meanwhile (PostgreSQL: see
    ``intake_bulk``; SQLite admits one writer at a time, so nothing races there)."""
    if not states:
        return lambda: None
    if is_postgres(session):
        return bulk.write_states(session, states, new)
    upsert_states(session, states)
    return lambda: None


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
    """Record alert notifications on incidents (a repeat of the same content is ignored).

    On PostgreSQL the incidents' rows are locked in id order before ``updated_at`` is set, so two
    batches (or a batch and a flush) touching the same incidents never wait for each other in a
    cycle; that lock also orders them, so the later one's ``_all_resolved`` sees the earlier's
    states. It is ``FOR NO KEY UPDATE``, the lock the UPDATE takes anyway: ``FOR UPDATE`` would
    conflict with the ``KEY SHARE`` lock every alert insert takes on its incident (the foreign
    key), so two batches attaching to one incident would deadlock.
    """
    if not pairs:
        return
    if is_postgres(session):
        bulk.attach_alerts(session, pairs, now)
    else:
        insert = (
            upsert(session, AlertRow)
            .inline()
            .on_conflict_do_nothing(index_elements=["incident_id", "content_hash"])
        )
        session.connection().execute(insert, [alert_values(i, a, now) for i, a in pairs])
    touch_incidents(session, {i for i, _ in pairs}, now)


def touch_incidents(session: Session, incidents: set[str], now: datetime) -> None:
    """Set the incidents' ``updated_at`` after alerts were attached to them (PostgreSQL: their
    rows locked in id order first; see ``attach_many``)."""
    touched = sorted(incidents)
    if not touched:
        return
    if is_postgres(session):
        reads.touch_incidents(session, touched, now)
        return
    statement = update(IncidentRow).where(IncidentRow.id.in_(touched))
    session.connection().execute(statement.values(updated_at=now))


def _all_resolved(session: Session, incidents: set[str], known: dict[str, AlertState]) -> set[str]:
    """The ``incidents`` none of whose alerts fires any more (after this batch's states are
    written): the batch's own states answer for most; one query asks about the rest."""
    firing_here = {s.incident_id for s in known.values() if s.status is AlertStatus.FIRING}
    ask = sorted(incidents - firing_here)
    if not ask:
        return set()
    firing: set[str] = set()
    for wanted in member_of(session, AlertStateRow.incident_id, ask):
        query = (
            select(AlertStateRow.incident_id)
            .where(wanted)
            .where(AlertStateRow.status == AlertStatus.FIRING.value)
            .distinct()
        )
        firing.update(session.scalars(query))
    return set(ask) - firing
