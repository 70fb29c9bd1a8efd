"""Findings tracked over time by fingerprint, on SQLite and PostgreSQL: new, open, fixed when a
run no longer sees them, new again when they come back, accepted until a date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine

from nightowl.domain.findings import Finding, FindingState
from nightowl.errors import InputError, NotFoundError
from nightowl.store import create_engine_for, migrate
from nightowl.store.findings import FindingStore

T0 = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def findings(database_url: str) -> Iterator[FindingStore]:
    engine = create_engine_for(database_url)
    migrate(engine)
    yield FindingStore(engine)
    engine.dispose()


def finding(resource: str, watcher: str = "drift", **extra: object) -> Finding:
    return Finding.model_validate(
        {"watcher": watcher, "kind": "drift", "resource": resource, "title": f"{resource} drifted"}
        | extra
    )


def states(tracked: list[Finding]) -> dict[str, FindingState]:
    return {f.resource: f.state for f in tracked}


def test_a_finding_is_new_then_open_then_fixed_then_new_again(findings: FindingStore) -> None:
    first, _ = findings.sweep("drift", [finding("lb"), finding("sg")], T0)
    assert states(first) == {"lb": FindingState.NEW, "sg": FindingState.NEW}
    later = T0 + timedelta(hours=1)
    second, fixed = findings.sweep("drift", [finding("lb")], later)
    assert states(second) == {"lb": FindingState.OPEN}
    assert second[0].first_seen == T0
    assert second[0].last_seen == later
    assert [(f.resource, f.state, f.fixed_at) for f in fixed] == [("sg", FindingState.FIXED, later)]
    back = T0 + timedelta(hours=2)
    third, _ = findings.sweep("drift", [finding("lb"), finding("sg")], back)
    assert states(third) == {"lb": FindingState.OPEN, "sg": FindingState.NEW}
    assert findings.get(finding("sg").fingerprint).first_seen == back
    assert findings.get(finding("sg").fingerprint).fixed_at is None


def test_a_sweep_only_fixes_its_own_watchers_findings(findings: FindingStore) -> None:
    findings.sweep("drift", [finding("lb")], T0)
    findings.sweep("cve", [finding("img", watcher="cve")], T0)
    _, fixed = findings.sweep("drift", [], T0 + timedelta(hours=1))
    assert [f.resource for f in fixed] == ["lb"]
    assert findings.get(finding("img", watcher="cve").fingerprint).state is FindingState.NEW


def test_sweeping_twice_is_idempotent_and_a_duplicate_counts_once(findings: FindingStore) -> None:
    tracked, _ = findings.sweep("drift", [finding("lb"), finding("lb")], T0)
    again, fixed = findings.sweep("drift", [finding("lb")], T0)
    assert len(tracked) == 1
    assert fixed == []
    assert [f.state for f in findings.list()] == [again[0].state]
    assert len(findings.list()) == 1


def test_an_accepted_finding_stays_accepted_until_its_date(findings: FindingStore) -> None:
    (lb,) = findings.sweep("drift", [finding("lb")], T0)[0]
    accepted = findings.accept(lb.fingerprint, T0 + timedelta(days=2), "ana", T0)
    assert (accepted.state, accepted.accepted_by) == (FindingState.ACCEPTED, "ana")
    (seen,) = findings.sweep("drift", [finding("lb")], T0 + timedelta(days=1))[0]
    assert seen.state is FindingState.ACCEPTED
    (expired,) = findings.sweep("drift", [finding("lb")], T0 + timedelta(days=3))[0]
    assert expired.state is FindingState.OPEN
    assert expired.accepted_until is None


def test_accepting_needs_a_future_date_and_an_unfixed_finding(findings: FindingStore) -> None:
    (lb,) = findings.sweep("drift", [finding("lb")], T0)[0]
    with pytest.raises(InputError, match="not in the future"):
        findings.accept(lb.fingerprint, T0, "ana", T0)
    findings.sweep("drift", [], T0 + timedelta(hours=1))
    with pytest.raises(InputError, match="fixed"):
        findings.accept(lb.fingerprint, T0 + timedelta(days=9), "ana", T0 + timedelta(hours=2))
    with pytest.raises(NotFoundError, match="watch list"):
        findings.accept("nope", T0 + timedelta(days=9), "ana", T0)


def test_list_filters_by_watcher_and_state_newest_first(findings: FindingStore) -> None:
    findings.sweep("drift", [finding("a"), finding("b")], T0)
    findings.sweep("drift", [finding("b")], T0 + timedelta(hours=1))
    findings.sweep("cve", [finding("c", watcher="cve")], T0 + timedelta(hours=2))
    assert [f.resource for f in findings.list()] == ["c", "b", "a"]
    assert [f.resource for f in findings.list(watcher="drift")] == ["b", "a"]
    assert [f.resource for f in findings.list(states=[FindingState.FIXED])] == ["a"]
    assert [f.resource for f in findings.list(limit=1)] == ["c"]


def test_the_whole_finding_survives_the_round_trip(findings: FindingStore) -> None:
    given = finding("lb", evidence={"port": 443, "who": "ana"}, monthly_cost_delta=-35.5)
    findings.sweep("drift", [given], T0)
    stored = findings.get(given.fingerprint)
    assert stored.evidence == {"port": 443, "who": "ana"}
    assert stored.monthly_cost_delta == -35.5
    assert stored.model_dump(exclude={"state", "first_seen", "last_seen"}) == given.model_dump(
        exclude={"state", "first_seen", "last_seen"}
    )


def test_the_migration_creates_the_table(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/x.sqlite")
    migrate(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("select count(*) from findings").scalar() == 0
    engine.dispose()
