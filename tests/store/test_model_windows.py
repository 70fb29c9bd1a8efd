"""Reading a model's window from the serving layer's own table, on a real SQLite file and the
real PostgreSQL the tests start: the window's rows as text, read-only, bounded, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from nightowl.errors import InputError, StoreError
from nightowl.store.model_windows import read_window

T0 = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
QUERY = "SELECT age, plan FROM predictions WHERE at >= :start AND at < :end ORDER BY at"


def _fill(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS predictions"))
        connection.execute(
            sa.text("CREATE TABLE predictions (at TIMESTAMP WITH TIME ZONE, age FLOAT, plan TEXT)")
            if engine.dialect.name == "postgresql"
            else sa.text("CREATE TABLE predictions (at TIMESTAMP, age FLOAT, plan TEXT)")
        )
        rows = [
            {"at": T0 + timedelta(minutes=m), "age": 30.0 + m, "plan": None if m == 2 else "pro"}
            for m in range(5)
        ]
        connection.execute(sa.text("INSERT INTO predictions VALUES (:at, :age, :plan)"), rows)
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        found = f"sqlite:///{tmp_path / 'serving.sqlite'}"
    else:
        found = request.getfixturevalue("postgres_url")
    _fill(found)
    return found


def test_the_window_is_its_rows_as_text(url: str) -> None:
    rows = read_window(url, QUERY, T0 + timedelta(minutes=1), T0 + timedelta(minutes=4), 10)
    assert rows == {"age": ["31.0", "32.0", "33.0"], "plan": ["pro", None, "pro"]}


def test_the_query_cannot_write(url: str) -> None:
    with pytest.raises(InputError, match="query failed"):
        read_window(url, "DELETE FROM predictions WHERE at >= :start AND at < :end", T0, T0, 10)
    assert len(read_window(url, QUERY, T0, T0 + timedelta(hours=1), 10)["age"]) == 5


def test_too_many_rows_and_a_bad_query_are_clear_errors(url: str) -> None:
    with pytest.raises(InputError, match="more than 3 rows; sample it"):
        read_window(url, QUERY, T0, T0 + timedelta(hours=1), 3)
    with pytest.raises(InputError, match="query failed"):
        read_window(url, "SELECT nope FROM nowhere WHERE :start < :end", T0, T0, 10)


def test_an_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="could not be reached") as raised:
        read_window("postgresql+psycopg://reader:s3cret@127.0.0.1:9/serving", QUERY, T0, T0, 10)
    assert "s3cret" not in str(raised.value)
