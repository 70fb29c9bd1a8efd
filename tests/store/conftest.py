"""Backends for the store's contract tests: SQLite in a temp file, and a real PostgreSQL.

The PostgreSQL server is started once per session (``postgres_server``, in tests/conftest.py) and
every test gets a fresh database on it (``postgres_url``), so tests never see each other's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.store import IncidentStore, create_engine_for, migrate

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'nightowl.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


class SteppingClock:
    """A clock that moves one second forward every time it is read."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return SteppingClock(datetime(2030, 1, 1, tzinfo=UTC))


@pytest.fixture
def store(database_url: str, clock: Callable[[], datetime]) -> Iterator[IncidentStore]:
    engine = create_engine_for(database_url)
    migrate(engine)
    store = IncidentStore(engine, clock=clock)
    yield store
    store.close()
