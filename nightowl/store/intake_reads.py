"""Intake's per-batch and per-flush statements on PostgreSQL, but the state writes
(``intake_bulk``): plain SQL on the driver's connection.

Every batch runs the same few statements (lock its groups and read the silences, read the
previous states, read the groups, write the groups, touch the incidents), and every flush a few
more (lock its group, read its candidates and the open incidents). Built with SQLAlchemy,
each cost ~250 µs of CPU before it reached the driver — constructing the statement, computing its
cache key, processing its parameters and result rows — about as much as a round trip, and most
of a single-alert batch's cost (docs/benchmarks.md, "Intake on PostgreSQL: per-batch overhead").
Here each is a constant string, its parameters plain values (lists travel as one array, in
binary), its rows plain tuples. The column lists come from the tables' definitions, so they
follow the schema.

The semantics are those of the portable statements in ``intake.py`` and ``intake_locks.py``,
which SQLite keeps (and the contract tests run on both backends).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from nightowl.domain import AlertStatus, IncidentStatus, Silence
from nightowl.store.intake_bulk import raw_connection, to_json
from nightowl.store.intake_tables import AlertGroupRow, AlertStateRow, SilenceRow
from nightowl.store.silences import silence_of
from nightowl.store.tables import IncidentRow

RESOLVED = IncidentStatus.RESOLVED.value


def _names(table: Any, alias: str = "") -> list[str]:
    columns: Table = table.__table__
    return [f"{alias}{c.name}" for c in columns.columns]


STATE_NAMES = _names(AlertStateRow)
GROUP_NAMES = _names(AlertGroupRow)
SILENCE_NAMES = _names(SilenceRow)

_TAKING = (
    "SELECT count(*) AS locks FROM ("
    " SELECT CASE WHEN w.shared THEN pg_advisory_xact_lock_shared(w.cls, w.key)"
    " ELSE pg_advisory_xact_lock(w.cls, w.key) END"
    " FROM unnest(%b::int4[], %b::int4[], %b::bool[]) WITH ORDINALITY AS w(cls, key, shared, pos)"
    " ORDER BY w.pos) AS taken"
)
TAKE_LOCKS = _TAKING
"""Advisory locks (``intake_locks.Lock``: class, key, shared), taken in the order given."""
LOCK_AND_SILENCES = (
    f"WITH held AS ({_TAKING})"
    f" SELECT {', '.join(_names(SilenceRow, 's.'))} FROM held"
    f" LEFT JOIN {SilenceRow.__tablename__} s ON s.ends_at > %s"
    " ORDER BY s.created_at DESC, s.id"
)
"""The locks, in the order given (a CTE, the preserved side of the outer join: evaluated even
when no silence exists), and the silences in force, in one round trip (see
``intake_locks.lock_and_read_silences`` for why the snapshot is good enough)."""

PREVIOUS = (
    f"SELECT {', '.join(_names(AlertStateRow, 's.'))}, i.status"
    f" FROM {AlertStateRow.__tablename__} s"
    f" LEFT JOIN {IncidentRow.__tablename__} i ON i.id = s.incident_id"
    " WHERE s.fingerprint = ANY(%b::text[]) FOR UPDATE OF s"
)
GROUPS = (
    f"SELECT {', '.join(_names(AlertGroupRow, 'g.'))}, i.status <> %s"
    f" FROM {AlertGroupRow.__tablename__} g"
    f" LEFT JOIN {IncidentRow.__tablename__} i ON i.id = g.incident_id"
    " WHERE g.group_key = ANY(%b::text[])"
)
CANDIDATES = (
    f"SELECT {', '.join(STATE_NAMES)} FROM {AlertStateRow.__tablename__}"
    " WHERE group_key = %s AND incident_id IS NULL AND status = %s AND silenced_by IS NULL"
)
"""A flush's candidates: the group's alerts firing, not silenced, in no incident yet."""
OPEN_INCIDENTS = (
    f"SELECT id, correlation_key, service, title, opened_at FROM {IncidentRow.__tablename__}"
    " WHERE status <> %s AND opened_at >= %s ORDER BY opened_at DESC LIMIT %s"
)
"""The open incidents a flush may correlate with, newest first."""
_GROUP_TYPES = {
    "group_key": "text",
    "labels": "text[]::json",
    "incident_id": "text",
    "created_at": "timestamptz",
    "flushed_at": "timestamptz",
    "next_flush_at": "timestamptz",
    "repeat_at": "timestamptz",
    "pending": "int4",
    "updates": "int4",
}
_KEPT = ("group_key", "repeat_at")
"""Not written back by a batch: the key, and ``repeat_at``, which belongs to the reminders
(``GroupStore.repeats``, which takes no group lock)."""
UPSERT_GROUPS = (
    f"INSERT INTO {AlertGroupRow.__tablename__} ({', '.join(GROUP_NAMES)}) SELECT * FROM unnest("
    + ", ".join(
        "%b::text[]::json[]" if name == "labels" else f"%b::{_GROUP_TYPES[name]}[]"
        for name in GROUP_NAMES
    )
    + ") ON CONFLICT (group_key) DO UPDATE SET "
    + ", ".join(f"{n} = excluded.{n}" for n in GROUP_NAMES if n not in _KEPT)
)
TOUCH_INCIDENTS = (
    f"UPDATE {IncidentRow.__tablename__} SET updated_at = %s FROM ("
    f" SELECT id FROM {IncidentRow.__tablename__} WHERE id = ANY(%b::text[])"
    " ORDER BY id FOR NO KEY UPDATE) AS locked"
    f" WHERE {IncidentRow.__tablename__}.id = locked.id"
)
"""``updated_at`` of the incidents alerts were attached to, their rows locked in id order first
(``FOR NO KEY UPDATE``: see ``intake.attach_many``)."""


def _lock_params(locks: Sequence[tuple[int, int, bool]]) -> tuple[list[int], list[int], list[bool]]:
    return [c for c, _, _ in locks], [k for _, k, _ in locks], [s for _, _, s in locks]


def take_locks(session: Session, locks: Sequence[tuple[int, int, bool]]) -> None:
    """Take ``locks`` (``intake_locks.Lock``) until the transaction ends."""
    raw_connection(session).cursor().execute(TAKE_LOCKS, _lock_params(locks))


def lock_and_read_silences(
    session: Session, locks: Sequence[tuple[int, int, bool]], now: datetime
) -> list[Silence]:
    """Take ``locks`` (``intake_locks.Lock``) and read the silences in force at ``now``, newest first."""
    cursor = raw_connection(session).cursor()
    cursor.execute(LOCK_AND_SILENCES, (*_lock_params(locks), now))
    return [
        silence_of(SilenceRow(**dict(zip(SILENCE_NAMES, r, strict=True))))
        for r in cursor
        if r[0] is not None  # the outer join's one row when no silence is in force
    ]


def previous(session: Session, fingerprints: Sequence[str]) -> list[tuple[dict[str, Any], bool]]:
    """The rows of the previous states of ``fingerprints`` (row-locked), each with whether its
    incident is open."""
    cursor = raw_connection(session).cursor()
    cursor.execute(PREVIOUS, (list(fingerprints),))
    return [
        (dict(zip(STATE_NAMES, values, strict=True)), status not in (None, RESOLVED))
        for *values, status in cursor
    ]


def groups(session: Session, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored groups of ``keys``, each with ``incident_open``: its incident's id when that
    incident is open, else None."""
    cursor = raw_connection(session).cursor()
    cursor.execute(GROUPS, (RESOLVED, list(keys)))
    found: dict[str, dict[str, Any]] = {}
    for *values, is_open in cursor:
        group = dict(zip(GROUP_NAMES, values, strict=True))
        group["incident_open"] = group["incident_id"] if is_open else None
        found[group["group_key"]] = group
    return found


def upsert_groups(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update the groups (all but ``repeat_at``); works inside ``pipelined``."""
    arrays = [
        [to_json(r[name]) for r in rows] if name == "labels" else [r[name] for r in rows]
        for name in GROUP_NAMES
    ]
    raw_connection(session).cursor().execute(UPSERT_GROUPS, arrays)


def touch_incidents(session: Session, incidents: Sequence[str], now: datetime) -> None:
    """Set the incidents' ``updated_at``; works inside ``pipelined``."""
    raw_connection(session).cursor().execute(TOUCH_INCIDENTS, (now, list(incidents)))


def candidates(session: Session, group_key: str) -> list[dict[str, Any]]:
    """The rows of the states a flush of ``group_key`` attaches (see ``CANDIDATES``)."""
    cursor = raw_connection(session).cursor()
    cursor.execute(CANDIDATES, (group_key, AlertStatus.FIRING.value))
    return [dict(zip(STATE_NAMES, values, strict=True)) for values in cursor]


def open_incidents(session: Session, since: datetime, limit: int) -> list[tuple[Any, ...]]:
    """(id, correlation_key, service, title, opened_at) of the incidents open and opened since
    ``since``, newest first, at most ``limit``."""
    cursor = raw_connection(session).cursor()
    cursor.execute(OPEN_INCIDENTS, (RESOLVED, since, limit))
    return list(cursor)
