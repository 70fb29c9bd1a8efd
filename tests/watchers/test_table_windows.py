"""``options.table`` of the ``model_drift`` watcher: the windows read from the serving layer's
own table (a real SQLite file) — the current hour against the same hour a week earlier — find a
unit change in one feature and nothing in clean windows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.model_drift import ModelDriftWatcher
from nightowl.watchers.protocol import WatchContext
from tests.mlops.windows import window

NOW = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
QUERY = (
    "SELECT age, income, height_cm, plan, score FROM predictions WHERE at >= :start AND at < :end"
)


def serving_table(path: Path, current: dict[str, list[object]]) -> str:
    """A week-old hour of clean rows and the last hour's ``current`` rows, as a serving layer
    writes them."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    columns = "age FLOAT, income FLOAT, height_cm FLOAT, plan TEXT, score FLOAT"
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE predictions (at TIMESTAMP, {columns})"))
        for start, data in ((NOW - timedelta(days=7, hours=1), window(1)),
                            (NOW - timedelta(hours=1), current)):  # fmt: skip
            rows = [
                {"at": start + timedelta(seconds=i)} | {k: data[k][i] for k in data}
                for i in range(len(data["age"]))
            ]
            connection.execute(
                sa.text(
                    "INSERT INTO predictions VALUES (:at, :age, :income, :height_cm, :plan, :score)"
                ),
                [
                    {k: (float(v) if isinstance(v, float) else v) for k, v in r.items()}
                    for r in rows
                ],
            )
    engine.dispose()
    return url


def check(url: str, query: str = QUERY) -> list:  # type: ignore[type-arg]
    options = {"model": "churn", "table": {"url": url, "query": query}}
    config = WatcherConfig(name="churn-drift", kind="model_drift", options=options)
    watcher = ModelDriftWatcher.from_config(config, Settings())
    return asyncio.run(watcher.check(WatchContext(now=NOW, settings=Settings())))


def test_a_unit_change_in_the_table_is_found_and_clean_rows_are_not(tmp_path: Path) -> None:
    changed = window(2)
    changed["height_cm"] = [round(v / 2.54, 2) for v in changed["height_cm"]]  # type: ignore[operator]
    (finding,) = check(serving_table(tmp_path / "changed.sqlite", changed))
    assert (finding.evidence["feature"], finding.evidence["cause"]) == ("height_cm", "unit_change")
    assert check(serving_table(tmp_path / "clean.sqlite", window(2))) == []


def test_a_query_without_the_window_or_one_that_fails_is_said(tmp_path: Path) -> None:
    url = serving_table(tmp_path / "t.sqlite", window(2))
    with pytest.raises(ConfigError, match=":start and :end"):
        check(url, "SELECT age FROM predictions")
    with pytest.raises(WatcherError, match="query failed"):
        check(url, "SELECT age FROM nowhere WHERE :start < :end")
