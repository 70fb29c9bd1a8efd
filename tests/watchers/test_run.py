"""One run of a watcher: tracked in the store; a run that could not look (an error, too long,
too many findings) changes nothing, so nothing is marked fixed by a failure."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.domain.findings import Finding, FindingState
from nightowl.settings import Settings
from nightowl.store import create_engine_for, migrate
from nightowl.store.findings import FindingStore
from nightowl.testing.watcher import FakeWatcher
from nightowl.watchers.protocol import WatchContext, Watcher
from nightowl.watchers.run import MAX_FINDINGS, run_watcher

T0 = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FindingStore]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'n.sqlite'}")
    migrate(engine)
    yield FindingStore(engine)
    engine.dispose()


def ctx(hours: int = 0) -> WatchContext:
    return WatchContext(now=T0 + timedelta(hours=hours), settings=Settings())


def lb(resource: str = "aws_lb_listener_rule.web") -> Finding:
    return Finding(watcher="drift", kind="drift", resource=resource, title="rule changed")


def test_a_run_tracks_its_findings_and_the_next_fixes_what_is_gone(store: FindingStore) -> None:
    watcher = FakeWatcher("drift", [lb(), lb("aws_security_group.db")])
    first = asyncio.run(run_watcher(watcher, ctx(), store))
    assert [f.state for f in first.findings] == [FindingState.NEW, FindingState.NEW]
    assert len(first.new) == 2
    assert first.error is None
    watcher.findings = [lb()]
    second = asyncio.run(run_watcher(watcher, ctx(1), store))
    assert [f.state for f in second.findings] == [FindingState.OPEN]
    assert [f.resource for f in second.fixed] == ["aws_security_group.db"]


def test_a_failed_run_marks_nothing_fixed(store: FindingStore) -> None:
    watcher = FakeWatcher("drift", [lb()])
    asyncio.run(run_watcher(watcher, ctx(), store))
    watcher.fail = "terraform plan exited 1"
    failed = asyncio.run(run_watcher(watcher, ctx(1), store))
    assert failed.error == "watcher 'drift': terraform plan exited 1"
    assert failed.findings == ()
    assert failed.fixed == ()
    assert [f.state for f in store.list()] == [FindingState.NEW]


class Endless:
    """A watcher that never answers."""

    name = "slow"

    async def check(self, ctx: WatchContext) -> list[Finding]:
        await asyncio.Event().wait()
        return []


def test_a_run_past_its_timeout_fails_and_changes_nothing(store: FindingStore) -> None:
    slow: Watcher = Endless()
    failed = asyncio.run(run_watcher(slow, ctx(), store, timeout=0.01))
    assert failed.error == "did not finish within 0.01 s"
    assert store.list() == []


def test_too_many_findings_is_an_error_not_a_truncation(store: FindingStore) -> None:
    many = [lb(f"r{i}") for i in range(MAX_FINDINGS + 1)]
    failed = asyncio.run(run_watcher(FakeWatcher("drift", many), ctx(), store))
    assert failed.error is not None
    assert "at most" in failed.error
    assert store.list() == []


def test_findings_are_tracked_as_the_running_watchers(store: FindingStore) -> None:
    other = Finding(watcher="elsewhere", kind="drift", resource="r", title="t")
    done = asyncio.run(run_watcher(FakeWatcher("drift", [other]), ctx(), store))
    assert [f.watcher for f in done.findings] == ["drift"]
    assert [f.watcher for f in store.list(watcher="drift")] == ["drift"]
