"""A drifted column pages after k consecutive checks, remembered in the watcher's own findings
through a real store: pending (``info``, no action) until the k-th check, then a paging finding
with the rollback; a gap between runs or a clean check starts over."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.domain import Severity
from nightowl.domain.findings import FindingState, WatchRun
from nightowl.errors import ConfigError
from nightowl.settings import Settings, WatcherConfig
from nightowl.store import create_engine_for, migrate
from nightowl.store.findings import FindingStore
from nightowl.watchers.model_drift import ModelDriftWatcher
from nightowl.watchers.protocol import WatchContext
from nightowl.watchers.run import run_watcher
from tests.mlops.windows import window, write

T0 = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FindingStore]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'n.sqlite'}")
    migrate(engine)
    yield FindingStore(engine)
    engine.dispose()


def persistent(tmp_path: Path) -> ModelDriftWatcher:
    current = window(2)
    current["height_cm"] = [round(v / 2.54, 2) for v in current["height_cm"]]  # type: ignore[operator]
    options = {
        "model": "churn",
        "reference": str(write(tmp_path / "ref.csv", window(1))),
        "current": str(write(tmp_path / "cur.csv", current)),
        "paging": {"at_once": False},  # this drift is strong: only persistence may page it here
    }
    config = WatcherConfig(name="churn-drift", kind="model_drift", options=options)
    return ModelDriftWatcher.from_config(config, Settings())


def run(w: ModelDriftWatcher, store: FindingStore, hours: float) -> WatchRun:
    ctx = WatchContext(now=T0 + timedelta(hours=hours), settings=Settings())
    return asyncio.run(run_watcher(w, ctx, store))


def test_a_column_pages_at_the_third_consecutive_check_and_stops_when_clean(
    tmp_path: Path, store: FindingStore
) -> None:
    w = persistent(tmp_path)
    assert w.paging_plan().consecutive == 3  # hourly, α = 0.05, one family: 168·α³ ≤ 0.125
    for hour, streak in ((0, 1), (1, 2)):
        (pending,) = run(w, store, hour).findings
        assert pending.severity is Severity.INFO
        assert pending.proposed is None
        assert pending.evidence["consecutive_checks"] == streak
        assert pending.title == (
            f"model churn: height_cm flagged (unit change) in {streak} consecutive check(s); "
            "pages at 3 (pending)"
        )
    third = run(w, store, 2)
    (paging,) = third.new
    assert (paging.severity, paging.resource) == (Severity.WARNING, "churn/feature:height_cm")
    assert paging.proposed is not None
    assert paging.proposed.action is not None
    assert paging.title == "model churn: height_cm drifted (unit change)"
    assert [f.resource for f in third.fixed] == ["churn/pending:feature:height_cm"]
    (still,) = run(w, store, 3).findings
    assert still.state is FindingState.OPEN  # keeps paging while flagged: no second page
    write(tmp_path / "cur.csv", window(2))
    assert [f.state for f in run(w, store, 4).fixed] == [FindingState.FIXED]


def test_a_gap_between_runs_starts_the_streak_over(tmp_path: Path, store: FindingStore) -> None:
    w = persistent(tmp_path)
    run(w, store, 0)
    run(w, store, 1)
    (again,) = run(w, store, 5).findings  # the runs between did not happen
    assert again.evidence["consecutive_checks"] == 1
    assert again.severity is Severity.INFO


def test_min_severity_info_would_page_pending_columns_and_is_refused() -> None:
    options = {"model": "m", "reference": "a.csv", "current": "b.csv"}
    config = WatcherConfig(
        name="w", kind="model_drift", options=options, on_finding="incident", min_severity="info"
    )
    with pytest.raises(ConfigError, match="min_severity info"):
        ModelDriftWatcher.from_config(config, Settings())
