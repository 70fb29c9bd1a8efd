"""A throwaway PostgreSQL server on loopback, for tests that need the real thing.

::

    with PostgresServer() as server:
        server.create_database("nightowl_test")
        store = IncidentStore.open(server.url("nightowl_test"))

The server lives in a fresh temporary directory (data, unix socket and log), listens on a free
high port of 127.0.0.1, trusts local connections as the ``postgres`` superuser, and runs without
fsync (its data is thrown away). When the caller is root it runs as the ``postgres`` OS user via
``runuser``, because PostgreSQL refuses to run as root. ``stop()`` stops it with
``pg_ctl stop -m fast``, kills the postmaster by PID if it is still alive, and deletes the
directory.

Needs the PostgreSQL server binaries (Debian package ``postgresql``); psycopg 3 for
``create_database``. Nothing here imports pytest; wrap ``serve_postgres`` in a fixture.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import LiteralString

from nightowl_lab.harness.ports import free_port

SUPERUSER = "postgres"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresError(RuntimeError):
    """The test server could not be found, started or used; the message says what to do."""


def find_binaries() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: on PATH, else the newest Debian install."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: _version(path.parent.parent.name),
    )
    if candidates:
        return candidates[-1].parent
    raise PostgresError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under "
        "/usr/lib/postgresql/*/bin; install the Debian package `postgresql` "
        "(apt-get install postgresql) or deselect these tests with -m 'not postgres'"
    )


class PostgresServer:
    """One private PostgreSQL server; a context manager that starts it and stops it.

    Not thread-safe to start and stop from several threads; once started, ``url`` and
    ``create_database`` may be used from any thread.
    """

    def __init__(self, *, binaries: Path | None = None, start_timeout: float = 30.0) -> None:
        self._binaries = binaries
        self._timeout = start_timeout
        self._base: Path | None = None
        self.port: int | None = None
        self.pid: int | None = None

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def directory(self) -> Path:
        """The server's data directory; PostgresError before ``start``."""
        if self._base is None:
            raise PostgresError("the server is not started; call start() first")
        return self._base

    def start(self) -> None:
        """Create a cluster in a new temporary directory and start it; raises PostgresError."""
        if self._base is not None:
            raise PostgresError("the server is already started")
        binaries = self._binaries or find_binaries()
        self._base = Path(tempfile.mkdtemp(prefix="nightowl-pg-"))
        try:
            (self._base / "socket").mkdir()
            if os.geteuid() == 0:
                shutil.chown(self._base, user=SUPERUSER)
                shutil.chown(self._base / "socket", user=SUPERUSER)
            self._run(
                binaries / "initdb",
                "-D", str(self._data), "-U", SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            self._start_on_free_port(binaries)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL by PID) and delete its directory."""
        if self._base is None:
            return
        binaries = self._binaries or find_binaries()
        if self.pid is not None:
            with contextlib.suppress(PostgresError, subprocess.TimeoutExpired):
                self._run(binaries / "pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")
            # Only if it is still our postmaster: after a clean stop the PID may be reused.
            if _runs_from(self.pid, self._data):
                _kill(self.pid)
        shutil.rmtree(self._base, ignore_errors=True)
        self._base = self.port = self.pid = None

    def url(self, dbname: str = "postgres") -> str:
        """The SQLAlchemy URL (psycopg 3 driver) of ``dbname`` on this server."""
        if self.port is None:
            raise PostgresError("the server is not started; call start() first")
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` (lowercase letters, digits, underscores); returns its URL."""
        if not _NAME.match(name):
            raise ValueError(f"database name {name!r}: use lowercase letters, digits and _")
        self._admin("CREATE DATABASE {}", name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting anyone still using it."""
        if not _NAME.match(name):
            raise ValueError(f"database name {name!r}: use lowercase letters, digits and _")
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    @property
    def _data(self) -> Path:
        return self.directory / "data"

    def _start_on_free_port(self, binaries: Path) -> None:
        # The port is free when chosen but another process may take it first; try a few.
        for attempt in range(3):
            port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} "
                f"-c unix_socket_directories={self.directory / 'socket'} "
                "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
                "-c max_connections=200"
            )
            log = self.directory / "postgres.log"
            try:
                self._run(
                    binaries / "pg_ctl", "-D", str(self._data), "-l", str(log),
                    "-o", options, "-w", "-t", str(int(self._timeout)), "start",
                )  # fmt: skip
            except PostgresError:
                if attempt == 2:
                    raise
                time.sleep(0.2)
                continue
            self.port = port
            self.pid = int((self._data / "postmaster.pid").read_text().split()[0])
            return

    def _run(self, program: Path, *args: str) -> None:
        command: Sequence[str] = [str(program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(
            command,
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=self._timeout + 30,
            check=False,
        )
        if result.returncode != 0:
            log = self.directory / "postgres.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresError(
                f"{program.name} failed with exit code {result.returncode}: "
                f"{result.stderr.strip() or result.stdout.strip()}\n{tail}".strip()
            )

    def _admin(self, statement: LiteralString, name: str) -> None:
        try:
            import psycopg
            from psycopg import sql
        except ImportError:
            raise PostgresError(
                "creating databases needs psycopg 3: pip install 'psycopg[binary]'"
            ) from None
        if self.port is None:
            raise PostgresError("the server is not started; call start() first")
        conninfo = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


def serve_postgres() -> Iterator[PostgresServer]:
    """A started server for the duration of a generator: wrap it in a session-scoped fixture."""
    with PostgresServer() as server:
        yield server


def _runs_from(pid: int, data: Path) -> bool:
    """Whether process ``pid`` is alive and was started with data directory ``data``."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(data).encode() in command.split(b"\0")


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())
