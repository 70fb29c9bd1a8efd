"""Transactions for the stores of later concepts (audit, approvals, control) on a shared engine.

Writes begin ``IMMEDIATE`` on SQLite (see database.py), reads are plain deferred transactions;
database failures become StoreError naming the URL without its password.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Engine, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from nightowl.store.database import READ_ONLY, unreachable
from nightowl.store.tables import Base


class Sessions:
    """Opens one short transaction per call; thread-safe, shareable across a process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = sessionmaker(engine, expire_on_commit=False)
        self._reads = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on exit and rolled back
        on an error; StoreError when the database cannot be used.
        """
        try:
            with self._writes.begin() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise unreachable(self.engine.url, exc) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction that never takes the write lock; StoreError when the database
        cannot be used.
        """
        try:
            with self._reads() as session, session.begin():
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise unreachable(self.engine.url, exc) from exc


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """On PostgreSQL, send the statements executed inside together, in one round trip (psycopg's
    pipeline mode: one ``Sync`` at the end); on SQLite, as they come.

    Only for statements whose results nobody reads (writes without RETURNING): inside, a result
    has no rows and no row count yet. A database error surfaces when the block ends, as the
    SQLAlchemy error it would have been (so ``write`` still turns it into StoreError).
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    import psycopg  # the postgres extra: present, or this engine would not exist

    raw = session.connection().connection.driver_connection
    assert raw is not None  # a checked-out connection always has its driver's connection
    try:
        with raw.pipeline():
            yield
    except psycopg.Error as exc:
        raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc


CHUNK = 500
"""Values per ``IN (…)`` list on SQLite (it caps a statement's parameters)."""


def member_of(
    session: Session,
    column: ColumnElement[Any] | InstrumentedAttribute[Any],
    values: Sequence[Any],
) -> Iterator[ColumnElement[bool]]:
    """Conditions "``column`` is one of ``values``", one per query to run: on PostgreSQL one
    ``= ANY(array)`` with the values as a single parameter, so that the statement's text is the
    same for any number of values (SQLAlchemy compiles it once and psycopg converts it once;
    an expanded ``IN`` renders one placeholder per value, and psycopg caches no statement that
    long); on SQLite ``IN`` lists of ``CHUNK`` values."""
    if session.get_bind().dialect.name == "postgresql":
        if values:
            yield column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
        return
    for start in range(0, len(values), CHUNK):
        yield column.in_(values[start : start + CHUNK])


def upsert(session: Session, table: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with ``ON CONFLICT`` support for the session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def put_row(
    session: Session,
    table: type[Base],
    keys: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    on_insert: Mapping[str, Any] | None = None,
) -> None:
    """Insert the row with ``keys`` or, when one exists, replace its ``values``: idempotent.

    ``keys`` must be the columns of a unique index (the conflict target); ``on_insert`` columns
    are written only by the first insert (a position, the owning incident) and kept afterwards.
    One statement on both backends, so a re-run step never races itself into a duplicate.
    """
    insert = upsert(session, table).values({**keys, **(on_insert or {}), **values})
    session.execute(insert.on_conflict_do_update(index_elements=list(keys), set_=dict(values)))
