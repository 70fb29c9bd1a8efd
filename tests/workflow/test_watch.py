"""Watchers on DBOS: the configured watchers become durable schedules in the system database, a
tick runs the watcher through the application (tracked, audited as the scheduler), and a
watcher no longer configured loses its schedule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from dbos import DBOS

from nightowl.app import Nightowl
from nightowl.domain.findings import FindingState
from nightowl.registry import WATCHERS
from nightowl.settings import WatcherConfig
from nightowl.testing.watcher import FAKE_KIND
from nightowl.workflow.watch import PREFIX, schedule_name, schedules
from tests.conftest import make_settings

FOUND = {"kind": "drift", "resource": "aws_lb_listener_rule.web", "title": "rule changed"}
WATCHER = {
    "name": "drift",
    "kind": "fake",
    "schedule": "*/5 * * * *",
    "options": {"findings": [FOUND]},
}


@pytest.fixture(autouse=True)
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(WATCHERS.builtins, "fake", FAKE_KIND)


YEARLY = "0 0 1 1 *"
"""A schedule that does not fire while a test runs: a tick test triggers the watcher itself, and
a real tick in the same minute (``*/5`` fires at :00, :05, …) made a second run, which saw the
finding again (``open``, not ``new``: a CI run at 23:30)."""


def _launch(tmp_path: Path, watcher: Mapping[str, object]) -> Iterator[Nightowl]:
    quiet = {**watcher, "name": "quiet", "enabled": False}
    app = Nightowl(make_settings(tmp_path, watchers=[dict(watcher), quiet]))
    try:
        app.launch()
        yield app
    finally:
        app.shutdown()


@pytest.fixture
def launched(tmp_path: Path) -> Iterator[Nightowl]:
    yield from _launch(tmp_path, WATCHER)


@pytest.fixture
def launched_yearly(tmp_path: Path) -> Iterator[Nightowl]:
    yield from _launch(tmp_path, WATCHER | {"schedule": YEARLY})


def test_a_schedule_has_the_cron_with_seconds_and_names_its_watcher() -> None:
    (entry,) = schedules([WatcherConfig.model_validate(WATCHER)])
    assert (entry["schedule_name"], entry["schedule"], entry["context"]) == (
        "nightowl.watch.drift",
        "0 */5 * * * *",
        "drift",
    )


def test_each_enabled_watcher_is_a_durable_schedule(launched: Nightowl) -> None:
    found = DBOS.list_schedules(schedule_name_prefix=PREFIX)
    assert [(s["schedule_name"], s["schedule"]) for s in found] == [
        ("nightowl.watch.drift", "0 */5 * * * *")
    ]


def test_a_tick_runs_the_watcher_tracks_and_audits_it(launched_yearly: Nightowl) -> None:
    launched = launched_yearly
    handle = DBOS.trigger_schedule(schedule_name("drift"))
    handle.get_result()
    (finding,) = launched.records.findings()
    assert (finding.resource, finding.state) == ("aws_lb_listener_rule.web", FindingState.NEW)
    runs = [r for r in launched.records.audit_records() if r.kind == "watch.run"]
    assert [(r.actor, r.data["new"], r.data["error"]) for r in runs] == [("scheduler", 1, None)]


def test_a_watcher_removed_from_the_settings_loses_its_schedule(tmp_path: Path) -> None:
    first = Nightowl(make_settings(tmp_path, watchers=[WATCHER]))
    first.launch()
    first.shutdown()
    second = Nightowl(make_settings(tmp_path, watchers=[]))
    try:
        second.launch()
        assert DBOS.list_schedules(schedule_name_prefix=PREFIX) == []
    finally:
        second.shutdown()
