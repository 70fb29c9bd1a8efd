"""Sessions and ``put_row``: insert-or-replace by a unique key on both backends, first-insert-only
columns kept, and database failures raised as StoreError."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from nightowl.errors import StoreError
from nightowl.store.control import ControlRow
from nightowl.store.database import create_engine_for, migrated_engine
from nightowl.store.observations import ObservationRow
from nightowl.store.sessions import CHUNK, Sessions, member_of, pipelined, put_row

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)


def test_put_row_inserts_then_replaces_the_values_of_the_same_key(database_url: str) -> None:
    sessions = Sessions(migrated_engine(database_url))
    try:
        for value in ({"on": True}, {"on": False}):
            with sessions.write() as session:
                put_row(
                    session, ControlRow, {"key": "killswitch"}, {"value": value, "updated_at": AT}
                )
        with sessions.read() as session:
            rows = session.execute(select(ControlRow.key, ControlRow.value)).all()
    finally:
        sessions.engine.dispose()
    assert [tuple(r) for r in rows] == [("killswitch", {"on": False})]


def test_put_row_writes_on_insert_columns_once(database_url: str) -> None:
    sessions = Sessions(migrated_engine(database_url))
    try:
        for owner, size in (("inc-1", 10), ("inc-2", 20)):
            with sessions.write() as session:
                put_row(
                    session,
                    ObservationRow,
                    {"ref": "r1"},
                    {"size": size, "body": b"x", "saved_at": AT},
                    on_insert={"incident_id": owner},
                )
        with sessions.read() as session:
            row = session.execute(select(ObservationRow.incident_id, ObservationRow.size)).one()
    finally:
        sessions.engine.dispose()
    assert tuple(row) == ("inc-1", 20)  # the owner from the first insert, the size replaced


def test_a_database_that_cannot_be_used_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.sqlite"
    sessions = Sessions(create_engine_for(f"sqlite:///{path}"))  # never migrated: no tables
    try:
        with pytest.raises(StoreError, match="cannot use the database"), sessions.read() as s:
            s.execute(select(ControlRow.key)).all()
    finally:
        sessions.engine.dispose()


def test_pipelined_writes_all_land_and_a_failure_is_sqlalchemys_error(database_url: str) -> None:
    """Statements sent together (one round trip on PostgreSQL) all commit; one that fails makes
    the block raise the SQLAlchemy error it would have raised alone, and nothing commits."""
    sessions = Sessions(migrated_engine(database_url))
    row = {"value": {"on": True}, "updated_at": AT}
    try:
        with sessions.write() as session, pipelined(session):
            session.execute(insert(ControlRow), [{"key": "a", **row}, {"key": "b", **row}])
            session.execute(insert(ControlRow).values(key="c", **row))

        def clash() -> None:
            with sessions.write() as session, pipelined(session):
                session.execute(insert(ControlRow).values(key="d", **row))
                session.execute(insert(ControlRow).values(key="a", **row))  # the key exists

        with pytest.raises(IntegrityError):
            clash()
        with sessions.read() as session:
            keys = list(session.scalars(select(ControlRow.key).order_by(ControlRow.key)))
    finally:
        sessions.engine.dispose()
    assert keys == ["a", "b", "c"]


@pytest.mark.parametrize("count", [1, 3, CHUNK + 1])
def test_member_of_finds_every_value_on_both_backends(database_url: str, count: int) -> None:
    sessions = Sessions(migrated_engine(database_url))
    keys = [f"key-{n}" for n in range(count)]
    try:
        with sessions.write() as session:
            session.execute(
                insert(ControlRow), [{"key": k, "value": {}, "updated_at": AT} for k in keys]
            )
        with sessions.read() as session:
            found = [
                key
                for wanted in member_of(session, ControlRow.key, [*keys, "absent"])
                for key in session.scalars(select(ControlRow.key).where(wanted))
            ]
            nothing = list(member_of(session, ControlRow.key, []))
    finally:
        sessions.engine.dispose()
    assert sorted(found) == sorted(keys)
    assert nothing == []  # no values: no query (an empty condition would select every row)


@pytest.mark.postgres
def test_member_of_is_one_statement_text_for_any_count_on_postgresql(postgres_url: str) -> None:
    """The reason it exists: psycopg converts (and SQLAlchemy compiles) one text once."""
    sessions = Sessions(migrated_engine(postgres_url))
    texts = set()
    try:
        with sessions.read() as session:
            for count in (1, 7, 2 * CHUNK):
                (wanted,) = member_of(session, ControlRow.key, [str(n) for n in range(count)])
                statement = select(ControlRow.key).where(wanted)
                texts.add(str(statement.compile(session.get_bind())))
                session.execute(statement).all()
    finally:
        sessions.engine.dispose()
    assert len(texts) == 1
    assert "ANY" in texts.pop()
