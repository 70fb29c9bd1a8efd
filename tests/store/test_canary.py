"""Canary analyses on both backends: started once per id, measurements replaced by index, the
verdict and the incident recorded, listed newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from nightowl.domain import Deploy
from nightowl.domain.canary import CanaryRun, Measurement, MetricResult, Verdict
from nightowl.errors import NotFoundError
from nightowl.store import create_engine_for, migrate
from nightowl.store.canary import CanaryStore
from tests.store.samples import T0


@pytest.fixture
def runs(database_url: str) -> Iterator[CanaryStore]:
    engine = create_engine_for(database_url)
    migrate(engine)
    yield CanaryStore(engine)
    engine.dispose()


def run(run_id: str, service: str = "checkout", minutes: int = 0) -> CanaryRun:
    at = T0 + timedelta(minutes=minutes)
    deploy = Deploy(service=service, version="v2", previous_version="v1", at=at, source="ci")
    return CanaryRun(id=run_id, deploy=deploy, started_at=at)


def measurement(index: int, verdict: Verdict) -> Measurement:
    result = MetricResult(metric="errors", signal="error_rate", verdict=verdict, reason="r")
    return Measurement(index=index, at=T0, verdict=verdict, metrics=(result,))


def test_an_analysis_is_started_once_and_keeps_its_measurements(runs: CanaryStore) -> None:
    runs.start(run("a"))
    runs.measured("a", measurement(0, Verdict.PASS))
    again = runs.start(run("a"))  # a re-run start step: the measurement stays
    assert [m.index for m in again.measurements] == [0]
    runs.measured("a", measurement(0, Verdict.FAIL))  # the same interval measured again
    runs.measured("a", measurement(1, Verdict.FAIL))
    got = runs.get("a")
    assert [(m.index, m.verdict) for m in got.measurements] == [
        (0, Verdict.FAIL),
        (1, Verdict.FAIL),
    ]


def test_the_verdict_and_the_incident_are_recorded(runs: CanaryStore) -> None:
    runs.start(run("a"))
    done = runs.concluded("a", Verdict.FAIL, "errors rose", incident_id="inc-1")
    assert (done.verdict, done.incident_id, done.summary) == (Verdict.FAIL, "inc-1", "errors rose")
    assert runs.get("a").verdict is Verdict.FAIL


def test_listed_newest_first_and_by_service(runs: CanaryStore) -> None:
    runs.start(run("old", minutes=0))
    runs.start(run("new", minutes=5))
    runs.start(run("other", service="payments", minutes=9))
    assert [r.id for r in runs.list()] == ["other", "new", "old"]
    assert [r.id for r in runs.list("checkout")] == ["new", "old"]


def test_an_unknown_analysis_is_not_found(runs: CanaryStore) -> None:
    with pytest.raises(NotFoundError, match="no canary analysis"):
        runs.get("nope")
    with pytest.raises(NotFoundError):
        runs.measured("nope", measurement(0, Verdict.PASS))
