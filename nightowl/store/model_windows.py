"""Reading a window of a served model's data from a table the serving layer writes (the
``model_drift`` watcher's ``options.table``).

Every SQL access of nightowl lives in the store package (the import-linter contract), so this
module holds the one reader of a database that is not nightowl's own: a SELECT from the
configuration, with ``:start`` and ``:end`` bound to the window's bounds, run in a read-only
transaction (PostgreSQL ``SET TRANSACTION READ ONLY``, SQLite ``PRAGMA query_only``) and bounded
to ``max_rows`` (more is an error, not a truncation: a truncated window would test a biased
sample). Values come back as text, as a CSV file's would (``mlops.frames``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from nightowl.errors import InputError, StoreError

Rows = dict[str, list[str | None]]


def read_window(url: str, query: str, start: datetime, end: datetime, max_rows: int) -> Rows:
    """The rows ``query`` returns for ``[start, end)`` as columns of text (None for NULL).

    InputError for more than ``max_rows`` rows or a query that fails (it names the error);
    StoreError (retryable) when the database cannot be reached."""
    engine = create_engine(url, pool_pre_ping=False)
    try:
        try:
            connection = engine.connect()
        except SQLAlchemyError as exc:
            raise StoreError(f"the model's table could not be reached: {_reason(exc)}") from None
        try:
            with connection, connection.begin():
                names, rows = _select(connection, engine.dialect.name, query, start, end, max_rows)
        except SQLAlchemyError as exc:
            raise InputError(f"the model's table query failed: {_reason(exc)}") from None
    finally:
        engine.dispose()
    if len(rows) > max_rows:
        raise InputError(f"the window has more than {max_rows} rows; sample it in the query")
    return {
        name: [None if row[i] is None else str(row[i]) for row in rows]
        for i, name in enumerate(names)
    }


def _select(
    connection: Connection, dialect: str, query: str, start: datetime, end: datetime, most: int
) -> tuple[list[str], Sequence[Row[Any]]]:
    if dialect == "postgresql":
        connection.execute(text("SET TRANSACTION READ ONLY"))
    elif dialect == "sqlite":
        connection.execute(text("PRAGMA query_only = ON"))
    result = connection.execute(text(query), {"start": start, "end": end})
    return list(result.keys()), result.fetchmany(most + 1)


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line (never the URL, which may hold a password)."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
