"""Migrations: idempotent, and the Alembic head is exactly the SQLAlchemy models."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from nightowl.store import IncidentStore, create_engine_for, migrate
from nightowl.store.database import MIGRATIONS
from nightowl.store.schema import Base


def heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return set(ScriptDirectory.from_config(config).get_heads())


def _not_fts_shadow(name: str | None, type_: str, parent: object) -> bool:
    """SQLite's FTS5 index for memory (``memories_fts`` and its shadow tables) is a virtual table
    SQLAlchemy cannot declare; the migration creates it, and ``test_memory`` proves it works."""
    return not (type_ == "table" and (name or "").startswith("memories_fts"))


def test_migrate_twice_is_a_no_op(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            first = MigrationContext.configure(connection).get_current_heads()
            tables = sorted(inspect(connection).get_table_names())
        migrate(engine)
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == first
            assert sorted(inspect(connection).get_table_names()) == tables
        assert set(first) == heads()
        assert set(Base.metadata.tables) <= set(tables)
    finally:
        engine.dispose()


def test_head_matches_the_models(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            opts = {"compare_type": True, "include_name": _not_fts_shadow}
            context = MigrationContext.configure(connection, opts=opts)
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_open_migrates_and_data_survives_reopening(database_url: str) -> None:
    store = IncidentStore.open(database_url)
    try:
        store.create_incident(
            incident_id="inc-1",
            correlation_key="k",
            title="t",
            service=None,
            severity=None,
            opened_at=datetime(2030, 1, 1, tzinfo=UTC),
        )
    finally:
        store.close()
    reopened = IncidentStore.open(database_url)
    try:
        assert [s.id for s in reopened.list()] == ["inc-1"]
    finally:
        reopened.close()
