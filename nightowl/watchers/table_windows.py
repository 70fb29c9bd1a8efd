"""A ``model_drift`` watcher's windows read from a table the serving layer writes
(``options.table``).

The current window is the rows of the last ``window_minutes`` before the run; the reference
window as many minutes, ``reference_offset_minutes`` earlier — a week by default, as for the
histogram windows, so the reference is the same hour of the same weekday and daily and weekly
cycles do not read as drift. One query per window (``store/model_windows.py``: read-only, bounded),
``:start`` and ``:end`` bound to the window's bounds, e.g.::

    SELECT age, plan, score FROM churn_predictions
    WHERE predicted_at >= :start AND predicted_at < :end
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from nightowl.errors import InputError, StoreError, WatcherError
from nightowl.mlops.frames import MAX_ROWS, Table
from nightowl.store.model_windows import read_window

WEEK_MINUTES = 7 * 24 * 60


class TableWindows(BaseModel):
    """``options.table`` of a ``model_drift`` watcher."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: SecretStr
    """A SQLAlchemy URL of the serving layer's database, e.g.
    ``postgresql+psycopg://reader:…@db/serving`` (a read-only role is best; the query runs in a
    read-only transaction either way)."""
    query: str = Field(min_length=1, max_length=10_000)
    """A SELECT of the model's columns, with ``:start`` and ``:end`` for the window."""
    reference_offset_minutes: int = Field(default=WEEK_MINUTES, gt=0)
    max_rows: int = Field(default=1_000_000, gt=0, le=MAX_ROWS)

    @field_validator("query")
    @classmethod
    def _windowed(cls, query: str) -> str:
        if ":start" not in query or ":end" not in query:
            raise ValueError("the query must select the window with :start and :end")
        return query


async def read_tables(
    windows: TableWindows, now: datetime, window_minutes: int, watcher: str
) -> tuple[Table, Table]:
    """(reference, current) windows. A database that cannot be reached is a retryable
    WatcherError, a failing query or too many rows a permanent one (the run records nothing)."""
    span = timedelta(minutes=window_minutes)
    before = now - timedelta(minutes=windows.reference_offset_minutes)
    url = windows.url.get_secret_value()
    try:
        reference = await asyncio.to_thread(
            read_window, url, windows.query, before - span, before, windows.max_rows
        )
        current = await asyncio.to_thread(
            read_window, url, windows.query, now - span, now, windows.max_rows
        )
    except StoreError as exc:
        raise WatcherError(str(exc), watcher=watcher, retryable=True) from None
    except InputError as exc:
        raise WatcherError(str(exc), watcher=watcher) from None
    return reference, current
