"""Engines for the two supported backends, and the Alembic migrations that shape them.

SQLite (the default) runs in WAL mode so that readers never wait for the writer; every write
transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue on ``busy_timeout`` instead of
failing when one upgrades a read lock. PostgreSQL is reached through psycopg 3.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from nightowl.errors import ConfigError, StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "nightowl_read_only"
"""Execution option: a transaction that only reads starts with a plain (deferred) ``BEGIN``."""

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def mask_url(url: str | URL) -> str:
    """``url`` with its password replaced by ``***``, safe to show in messages and logs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _PASSWORD.sub(r"\1***@", url)


def create_engine_for(url: str) -> Engine:
    """An Engine for a SQLite or PostgreSQL URL; no connection is made yet.

    ``postgresql://`` and ``postgres://`` are served by psycopg 3. Raises ConfigError for a URL
    that does not parse, another backend, or a missing driver.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"{mask_url(url)!r} is not a database URL; use sqlite:///<path> or "
            "postgresql://user:password@host:5432/dbname",
            where="store.url",
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend in ("postgresql", "postgres"):
        return _postgres_engine(parsed)
    raise ConfigError(
        f"unsupported database {backend!r} in {mask_url(parsed)!r}; nightowl stores incidents "
        "in SQLite or PostgreSQL",
        where="store.url",
    )


def missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite ``url`` that does not exist yet, else None (PostgreSQL, an in-memory
    database, a file that exists): opening that URL would create an empty store there, which a
    command that only reads should refuse instead of answering "nothing" from it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # create_engine_for names what is wrong with it
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    path = Path(database).expanduser()
    return None if path.exists() else path


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic ``upgrade heads``: independent branches are allowed); a no-op when current.

    Safe to call from several processes at once: SQLite serialises the writers and PostgreSQL
    takes an advisory lock. Raises StoreError when the database cannot be reached.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except (OperationalError, InterfaceError) as exc:
        raise unreachable(engine.url, exc) from exc


def migrated_engine(url: str) -> Engine:
    """An Engine for ``url`` with the schema at the newest revision: what every store's ``open`` needs.

    The engine is disposed of before the error propagates when migrating fails, so a failed open
    leaves no pool (and no SQLite file handle) behind. Raises ConfigError for a bad URL and
    StoreError when the database cannot be reached.
    """
    engine = create_engine_for(url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def unreachable(url: URL, exc: Exception) -> StoreError:
    """The error for a database that failed to answer, naming the URL without its password."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if url.get_backend_name() == "sqlite":
        hint = "check that the data directory is writable and not on a network filesystem"
    else:
        hint = (
            "check that the server is running and reachable, and the user, password and "
            "database in store.url"
        )
    return StoreError(f"cannot use the database at {mask_url(url)}: {reason}; {hint}")


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    memory = database in ("", ":memory:") or bool(url.query.get("mode") == "memory")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        # One shared connection, or every session would see its own empty database.
        options["poolclass"] = StaticPool
    elif not database.startswith("file:"):
        path = Path(database).expanduser()
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            private_file(path)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data directory {path.parent} for {mask_url(url)}: "
                f"{exc.strerror or exc}; choose another data_dir or fix its permissions"
            ) from None
    engine = create_engine(
        url, json_serializer=_json_dumps, json_deserializer=orjson.loads, **options
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    event.listen(engine, "commit", _sqlite_on_end)
    event.listen(engine, "rollback", _sqlite_on_end)
    return engine


def private_file(path: Path) -> None:
    """Make the SQLite file at ``path`` readable by its owner only (0600), whatever the umask.

    The file is created 0600 if missing; SQLite gives its ``-wal``, ``-shm`` and ``-journal``
    files the mode of the database file, so they follow. An existing file (and companions) that
    others can read is narrowed. Raises OSError when the file cannot be created or changed.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for each in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            if each.stat().st_mode & 0o077:
                each.chmod(0o600)
        except FileNotFoundError:
            continue


def _json_dumps(value: Any) -> str:
    """JSON columns via orjson: several times faster than the standard library on the intake path."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


_WRITE_GATES: dict[str, threading.RLock] = {}
_GATES_LOCK = threading.Lock()
_HELD = "nightowl_write_gate"


def _gate(connection: Any) -> threading.RLock:
    key = str(connection.engine.url.database)
    with _GATES_LOCK:
        return _WRITE_GATES.setdefault(key, threading.RLock())


def _sqlite_on_begin(connection: Any) -> None:
    """Start a transaction; a writer first queues on an in-process gate.

    SQLite allows one writer at a time. Threads of one process queue on a Python lock (handed over
    at once) instead of SQLite's busy handler, which polls with sleeps of up to 100 ms and so adds
    latency under load; other processes still wait on ``busy_timeout``.
    """
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    if read_only:
        connection.exec_driver_sql("BEGIN")
        return
    gate = _gate(connection)
    gate.acquire()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        gate.release()
        raise
    connection.info[_HELD] = gate


def _sqlite_on_end(connection: Any) -> None:
    gate = connection.info.pop(_HELD, None)
    if gate is not None:
        gate.release()


def _postgres_engine(url: URL) -> Engine:
    url = url.set(drivername="postgresql+psycopg")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigError(
            "PostgreSQL needs the psycopg driver: pip install 'nightowl[postgres]'",
            where="store.url",
        ) from None
    engine = create_engine(
        url,
        pool_recycle=RECYCLE_SECONDS,
        # No server-side prepared statements (psycopg prepares a query after its fifth run): a
        # prepared statement's plan is kept while intake's tables grow from empty to thousands
        # of rows in a storm, and the sequential scan chosen at a few rows cost 40-70 ms per
        # batch at 50,000 (docs/benchmarks.md, "stale plans"); an unnamed statement is planned
        # with each batch's values, and works behind PgBouncer in transaction mode as well.
        connect_args={"connect_timeout": 10, "prepare_threshold": None},
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )
    event.listen(engine.pool, "checkin", _postgres_on_checkin)
    event.listen(engine.pool, "checkout", _postgres_on_checkout)
    return engine


RECYCLE_SECONDS = 1800
"""A PostgreSQL connection is replaced after 30 minutes: below the idle timeouts of common
balancers and firewalls (PgBouncer's ``server_lifetime`` is an hour), so none is cut under us."""
IDLE_PING_SECONDS = 10.0
"""A connection idle in the pool this long is pinged before use. Not every checkout: that
``pool_pre_ping`` costs one round trip per transaction, about a tenth of intake's batch on
PostgreSQL. A busy process reuses its connections within milliseconds; one idle for seconds may
have been cut (a server restart, a failover); a connection that dies while in use fails its
transaction, SQLAlchemy then discards every older connection of the pool, and intake writes a
failed batch again request by request, so nothing acknowledged depends on the ping."""
_CHECKED_IN = "nightowl_checked_in"


def _postgres_on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _postgres_on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Ping a connection that sat idle; a dead one makes the pool connect again (the documented
    ``DisconnectionError`` protocol: the pool retries the checkout up to three times)."""
    since = record.info.get(_CHECKED_IN)
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    import psycopg  # the postgres extra: present, or this engine would not exist

    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()
    except psycopg.Error as exc:
        raise DisconnectionError(f"idle connection is gone: {exc}") from exc
