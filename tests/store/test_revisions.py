"""Schema revisions: a store opened with ``migrate=False`` refuses a database that is not at this
code's heads (never migrated, or one revision behind), and opens one that is, on both backends."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from nightowl.errors import StoreError
from nightowl.store import IncidentStore, create_engine_for, migrate
from nightowl.store.database import MIGRATIONS
from nightowl.store.revisions import require_current, schema_state, shipped_heads


def test_an_empty_database_is_refused_and_named(database_url: str) -> None:
    with pytest.raises(StoreError, match=r"not migrated .*run `nightowl db migrate`"):
        IncidentStore.open(database_url, migrate=False)
    engine = create_engine_for(database_url)
    try:
        state = schema_state(engine)
        assert state.current == []
        assert state.pending == shipped_heads()
        assert not state.up_to_date
    finally:
        engine.dispose()


def test_a_migrated_database_opens_without_migrating(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        migrate(engine)
        require_current(engine)
        assert schema_state(engine).up_to_date
    finally:
        engine.dispose()
    store = IncidentStore.open(database_url, migrate=False)
    try:
        assert store.list() == []
    finally:
        store.close()


def test_a_database_one_head_behind_is_refused(database_url: str) -> None:
    engine = create_engine_for(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    newest = shipped_heads()[-1]
    try:
        migrate(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, f"{newest}@-1")
        assert schema_state(engine).pending == [newest]
        with pytest.raises(StoreError, match=f"missing {newest}"):
            require_current(engine)
    finally:
        engine.dispose()


def test_a_database_newer_than_this_code_is_refused(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO alembic_version VALUES ('9999_future')"))
        with pytest.raises(StoreError, match=r"newer than this nightowl .*9999_future"):
            require_current(engine)
    finally:
        engine.dispose()
