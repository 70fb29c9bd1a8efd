"""Engines: URL handling, SQLite settings, and clear errors when the database is not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from nightowl_lab.harness.ports import free_port
from sqlalchemy import inspect, text

from nightowl.errors import ConfigError, StoreError
from nightowl.store import IncidentStore, create_engine_for, database
from nightowl.store.database import mask_url, migrated_engine, missing_sqlite_file


def test_sqlite_creates_its_directory_and_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "nightowl.sqlite"
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
    finally:
        engine.dispose()
    assert path.parent.is_dir()
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 1,
        "busy_timeout": 30000,
        "foreign_keys": 1,
    }


def test_in_memory_sqlite_is_shared_across_sessions() -> None:
    store = IncidentStore.open("sqlite://")
    try:
        assert store.list() == []
    finally:
        store.close()


@pytest.mark.parametrize(
    "url", ["postgresql://u:pw@db/x", "postgres://u:pw@db/x", "postgresql+psycopg://u:pw@db/x"]
)
def test_postgres_urls_use_psycopg_3(url: str) -> None:
    engine = create_engine_for(url)
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_unsupported_and_malformed_urls_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unsupported database 'mysql'"):
        create_engine_for("mysql://u:secret@db/x")
    with pytest.raises(ConfigError, match="not a database URL") as caught:
        create_engine_for("not a url")
    assert "store.url" in str(caught.value)


def test_mask_url_hides_the_password() -> None:
    assert (
        mask_url("postgresql://nightowl:s3cret@db:5432/x") == "postgresql://nightowl:***@db:5432/x"
    )
    assert mask_url("::bad://nightowl:s3cret@db") == "::bad://nightowl:***@db"


def test_unreachable_postgres_is_a_store_error_without_the_password() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError) as caught:
        IncidentStore.open(f"postgresql://nightowl:s3cret@127.0.0.1:{port}/nightowl")
    message = str(caught.value)
    assert "s3cret" not in message
    assert f"postgresql+psycopg://nightowl:***@127.0.0.1:{port}/nightowl" in message
    assert "check that the server is running" in message
    assert caught.value.retryable


def test_sqlite_in_an_unusable_directory_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="data directory"):
        create_engine_for(f"sqlite:///{blocker / 'sub' / 'nightowl.sqlite'}")


def test_read_transactions_do_not_take_the_write_lock(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    other = create_engine_for(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        with other.begin() as writer:  # holds the write lock (BEGIN IMMEDIATE)
            writer.execute(text("SELECT 1"))
            assert store.list() == []  # a reader is not blocked by it
    finally:
        other.dispose()
        store.close()


def test_migrated_engine_brings_a_fresh_database_to_the_newest_schema(tmp_path: Path) -> None:
    engine = migrated_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            heads = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    finally:
        engine.dispose()
    assert {"incidents", "alerts", "deploys", "alembic_version"} <= tables
    assert heads  # at least one head recorded: the upgrade ran to the end


def test_migrated_engine_on_an_unreachable_database_is_a_store_error() -> None:
    port = free_port()
    with pytest.raises(StoreError, match="check that the server is running"):
        migrated_engine(f"postgresql://nightowl:s3cret@127.0.0.1:{port}/nightowl")


def _modes(path: Path) -> dict[str, int]:
    return {
        p.name: p.stat().st_mode & 0o777
        for p in path.parent.iterdir()
        if p.name.startswith(path.name)
    }


def test_the_sqlite_file_and_its_wal_and_shm_are_private_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nightowl.sqlite"
    previous = os.umask(0o022)
    try:
        engine = create_engine_for(f"sqlite:///{path}")
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE t (secret TEXT)")
                connection.exec_driver_sql("INSERT INTO t VALUES ('evidence')")
            modes = _modes(path)  # while a connection is open, -wal and -shm exist
        finally:
            engine.dispose()
    finally:
        os.umask(previous)
    assert set(modes) >= {"nightowl.sqlite", "nightowl.sqlite-wal", "nightowl.sqlite-shm"}
    assert modes == dict.fromkeys(modes, 0o600)
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_an_existing_world_readable_sqlite_file_is_narrowed_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "nightowl.sqlite"
    IncidentStore.open(f"sqlite:///{path}").close()
    path.chmod(0o644)

    store = IncidentStore.open(f"sqlite:///{path}")
    try:
        store.list()
        modes = _modes(path)
    finally:
        store.close()
    assert modes == dict.fromkeys(modes, 0o600)


def test_a_sqlite_file_not_there_yet_is_named_and_nothing_is_created(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "nightowl.sqlite"

    assert missing_sqlite_file(f"sqlite:///{path}") == path
    assert not path.parent.exists()
    IncidentStore.open(f"sqlite:///{path}").close()
    assert missing_sqlite_file(f"sqlite:///{path}") is None


def test_only_a_sqlite_file_can_be_missing() -> None:
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql://u:p@db.invalid:5432/nightowl"):
        assert missing_sqlite_file(url) is None, url


@pytest.mark.postgres
def test_an_idle_postgres_connection_that_died_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``pool_pre_ping`` on every checkout: a connection idle in the pool is pinged, and one
    whose server session ended (a restart, a failover) is replaced instead of failing the next
    transaction."""
    engine = create_engine_for(postgres_url)
    with engine.connect() as connection:
        first = connection.scalar(text("SELECT pg_backend_pid()"))
    killer = create_engine_for(postgres_url)
    with killer.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    killer.dispose()
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # every pooled connection is "idle"

    with engine.connect() as connection:
        second = connection.scalar(text("SELECT pg_backend_pid()"))

    assert second != first
    engine.dispose()


@pytest.mark.postgres
def test_postgres_statements_are_never_prepared_on_the_server(postgres_url: str) -> None:
    """psycopg prepares a statement on its fifth run, and PostgreSQL then keeps the plan it made
    when intake's tables were nearly empty (docs/benchmarks.md, "stale plans"): no statement is
    prepared, however often it runs."""
    engine = create_engine_for(postgres_url)
    try:
        with engine.connect() as connection:
            for n in range(10):
                connection.execute(text("SELECT count(*) FROM pg_class WHERE oid > :n"), {"n": n})
            prepared = connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        assert prepared == 0
    finally:
        engine.dispose()
