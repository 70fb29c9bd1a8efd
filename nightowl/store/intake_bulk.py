"""Intake's writes of a batch on PostgreSQL: one statement per table, its rows as arrays.

SQLAlchemy's ``executemany`` sends one protocol message per row and processes every parameter
of every row in Python (the JSON columns through ``json.dumps``); for a batch of hundreds of alert
states that was the largest CPU cost of intake (docs/benchmarks.md, "Intake on PostgreSQL: Nagle,
writes as arrays"). Here each column travels as one array parameter in binary format, and
PostgreSQL turns them back into rows with ``unnest``: one message per table, whatever the size.

New alert states are inserted with ``ON CONFLICT DO NOTHING``, and the caller is told which came
back: a fingerprint the batch believed new that another transaction inserted first (two
deliveries of one new alert racing on two replicas, a case the group locks do not cover when the
two deliveries' labels put them in different groups) is not written twice, and the batch is
retried (``RacedError``), now seeing the other's state. Intake's locks (``intake_locks``) are
taken per group only; this check is what keeps "new" exact for fingerprints.

SQLite keeps the portable path (``intake.py``): one writer at a time, nothing can race.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from nightowl.domain import Alert, AlertState
from nightowl.errors import StoreError

STATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("fingerprint", "text"),
    ("source", "text"),
    ("name", "text"),
    ("status", "text"),
    ("content_hash", "text"),
    ("labels", "json"),
    ("annotations", "json"),
    ("starts_at", "timestamptz"),
    ("ends_at", "timestamptz"),
    ("generator_url", "text"),
    ("group_key", "text"),
    ("incident_id", "text"),
    ("silenced_by", "text"),
    ("inhibited_by", "text"),
    ("flapping", "bool"),
    ("transitions", "json"),
    ("first_seen", "timestamptz"),
    ("last_seen", "timestamptz"),
    ("received", "int"),
    ("duplicates", "int"),
)
"""``alert_states``' columns and the array type each travels as (JSON as text, cast on arrival)."""

ALERT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("incident_id", "text"),
    ("fingerprint", "text"),
    ("content_hash", "text"),
    ("status", "text"),
    ("name", "text"),
    ("labels", "json"),
    ("annotations", "json"),
    ("starts_at", "timestamptz"),
    ("ends_at", "timestamptz"),
    ("generator_url", "text"),
    ("source", "text"),
    ("received_at", "timestamptz"),
)
"""``alerts``' columns but the serial id, as above."""


class RacedError(StoreError):
    """Another transaction inserted a state this batch believed new: retry the batch."""


def _rows(columns: tuple[tuple[str, str], ...]) -> str:
    """``SELECT * FROM unnest(%b::text[]::json[], …)``: the arrays back into rows. ``%b``: sent
    in PostgreSQL's binary format, which needs no escaping per element (psycopg's text format
    escapes every element in Python, and cost three times as much: docs/benchmarks.md)."""
    arrays = ", ".join(
        "%b::text[]::json[]" if kind == "json" else f"%b::{kind}[]" for _, kind in columns
    )
    return f"SELECT * FROM unnest({arrays})"


_NAMES = ", ".join(name for name, _ in STATE_COLUMNS)
NEW_STATES = (
    f"INSERT INTO alert_states ({_NAMES}) {_rows(STATE_COLUMNS)}"
    " ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint"
)
KNOWN_STATES = (
    f"INSERT INTO alert_states ({_NAMES}) {_rows(STATE_COLUMNS)} ON CONFLICT (fingerprint)"
    " DO UPDATE SET "
    + ", ".join(f"{n} = excluded.{n}" for n, _ in STATE_COLUMNS if n != "fingerprint")
)
_ALERT_NAMES = ", ".join(n for n, _ in ALERT_COLUMNS)
_MOVED_NAMES = ", ".join(n for n, _ in ALERT_COLUMNS if n != "received_at")
MOVE_AND_ATTACH = (
    "WITH moved AS (UPDATE alert_states SET incident_id = %(incident)s"
    f" WHERE fingerprint = ANY(%(fingerprints)b::text[]) RETURNING {_MOVED_NAMES})"
    f" INSERT INTO alerts ({_ALERT_NAMES}) SELECT {_MOVED_NAMES}, %(now)s::timestamptz FROM moved"
    " ON CONFLICT (incident_id, content_hash) DO NOTHING"
)
"""A flush's attach in one statement: the states join the incident, and each becomes one of its
alerts, copied row to row inside PostgreSQL (the flush read them already; sending them back from
Python cost a flush more than reading them)."""
ATTACH = (
    f"INSERT INTO alerts ({', '.join(n for n, _ in ALERT_COLUMNS)}) {_rows(ALERT_COLUMNS)}"
    " ON CONFLICT (incident_id, content_hash) DO NOTHING"
)


def to_json(value: Any) -> str:
    """A JSON column's value as text (orjson), to travel in a ``text[]`` array."""
    return orjson.dumps(value).decode()


def _state_arrays(states: Sequence[AlertState]) -> list[list[Any]]:
    """One list per column of ``STATE_COLUMNS``, in its order."""
    return [
        [s.fingerprint for s in states],
        [s.source for s in states],
        [s.name for s in states],
        [s.status.value for s in states],
        [s.content_hash for s in states],
        [to_json(s.labels) for s in states],
        [to_json(s.annotations) for s in states],
        [s.starts_at for s in states],
        [s.ends_at for s in states],
        [s.generator_url for s in states],
        [s.group_key for s in states],
        [s.incident_id for s in states],
        [s.silenced_by for s in states],
        [s.inhibited_by for s in states],
        [s.flapping for s in states],
        [to_json([t.isoformat() for t in s.transitions]) for s in states],
        [s.first_seen for s in states],
        [s.last_seen for s in states],
        [s.received for s in states],
        [s.duplicates for s in states],
    ]


def raw_connection(session: Session) -> Any:
    """The session's psycopg connection (the statements here bypass SQLAlchemy)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None  # a checked-out connection always has its driver's connection
    return raw


def write_states(
    session: Session, states: Sequence[AlertState], new: set[str]
) -> Callable[[], None]:
    """Send the batch's states (those in ``new`` were not found when the batch read them): one
    statement for the new, one for the rest. Returns the check to call once the statements'
    results are in (after the pipeline): RacedError when a new one was inserted by another
    transaction meanwhile. Works inside ``pipelined`` (nothing is read before the check).
    """
    raw = raw_connection(session)
    fresh = [s for s in states if s.fingerprint in new]
    known = [s for s in states if s.fingerprint not in new]
    if known:
        raw.cursor().execute(KNOWN_STATES, _state_arrays(known))
    if not fresh:
        return lambda: None
    cursor = raw.cursor()
    cursor.execute(NEW_STATES, _state_arrays(fresh))

    def check() -> None:
        inserted = {row[0] for row in cursor.fetchall()}
        if lost := {s.fingerprint for s in fresh} - inserted:
            raise RacedError(
                f"{len(lost)} alert state(s) this batch took for new were inserted by another "
                "transaction first; the batch is retried"
            )

    return check


def move_and_attach(
    session: Session, incident_id: str, fingerprints: Sequence[str], now: datetime
) -> None:
    """Put these alert states in ``incident_id`` and attach each, as it now is, to the incident
    (a content the incident has already is not attached twice). Works inside ``pipelined``."""
    params = {"incident": incident_id, "fingerprints": list(fingerprints), "now": now}
    raw_connection(session).cursor().execute(MOVE_AND_ATTACH, params)


def attach_alerts(session: Session, pairs: Sequence[tuple[str, Alert]], now: datetime) -> None:
    """Insert the notifications attached to incidents (a repeat of one content per incident is
    ignored), in one statement."""
    alerts = [a for _, a in pairs]
    arrays: list[list[Any]] = [
        [i for i, _ in pairs],
        [a.fingerprint for a in alerts],
        [a.content_hash for a in alerts],
        [a.status.value for a in alerts],
        [a.name for a in alerts],
        [to_json(a.labels) for a in alerts],
        [to_json(a.annotations) for a in alerts],
        [a.starts_at for a in alerts],
        [a.ends_at for a in alerts],
        [a.generator_url for a in alerts],
        [a.source for a in alerts],
        [now] * len(alerts),
    ]
    raw_connection(session).cursor().execute(ATTACH, arrays)
