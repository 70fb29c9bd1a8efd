"""One interval at a time: a measurement is judged, stored and audited; unreadable metrics make
the interval inconclusive, never a pass; the verdict is summarised for a human."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.app.compose import Stores
from nightowl.canary.analysis import CanaryAnalysis, run_id_of
from nightowl.canary.samples import SampleReader
from nightowl.clock import ScenarioClock
from nightowl.domain import Deploy, Series, SignalKind
from nightowl.domain.canary import Verdict
from nightowl.settings import CanaryMetric, CanarySettings, Settings
from nightowl.store import IncidentStore
from nightowl.store.canary import CanaryStore
from nightowl.testing.sources import FakeMetrics

DEPLOYED = datetime(2026, 11, 20, 2, 51, tzinfo=UTC)
DEPLOY = Deploy(service="checkout", version="v2", previous_version="v1", at=DEPLOYED, source="ci")
SETTINGS = CanarySettings(metrics=[CanaryMetric(name="errors", signal="error_rate", floor=0.005)])


def _errors(after: float) -> Series:
    t = [(DEPLOYED + timedelta(minutes=m)).timestamp() for m in range(-30, 10)]
    values = [0.002 + 0.0001 * (i % 4) if i < 30 else after for i in range(len(t))]
    return Series(metric="error_rate", timestamps=tuple(t), values=tuple(values))


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[Stores]:
    settings = Settings.model_validate({"data_dir": str(tmp_path)})
    opened = Stores.on(IncidentStore.open(settings.store_url), settings)
    yield opened
    opened.close()


def _analysis(stores: Stores, metrics: FakeMetrics) -> CanaryAnalysis:
    clock = ScenarioClock(DEPLOYED + timedelta(minutes=9))
    runs = CanaryStore(stores.incidents.engine)
    return CanaryAnalysis(
        SETTINGS, SampleReader([metrics], SETTINGS), runs, stores.audit, clock, clock
    )


def test_a_rise_fails_the_interval_and_the_run_says_why(stores: Stores) -> None:
    analysis = _analysis(stores, FakeMetrics({"checkout": {SignalKind.ERROR_RATE: _errors(0.08)}}))

    async def go() -> str:
        run = await analysis.start(DEPLOY)
        measured = await analysis.measure(run.id, 0)
        assert measured.verdict is Verdict.FAIL
        done = await analysis.conclude(run.id, Verdict.FAIL)
        return done.summary

    summary = asyncio.run(go())
    assert summary.startswith("canary analysis failed for checkout v2 (was v1) after 1 interval(s)")
    assert "0.2% → 8.0%" in summary
    kinds = [r.kind for r in stores.audit.records()]
    assert kinds[-3:] == ["canary.started", "canary.measured", "canary.concluded"]


def test_unreadable_metrics_are_inconclusive_never_a_pass(stores: Stores) -> None:
    analysis = _analysis(stores, FakeMetrics({}, error="connection refused"))

    async def go() -> str:
        run = await analysis.start(DEPLOY)
        measured = await analysis.measure(run.id, 0)
        assert measured.verdict is Verdict.INCONCLUSIVE
        return measured.metrics[0].reason

    assert "metrics unreadable" in asyncio.run(go())
    assert run_id_of(DEPLOY) == "canary:checkout:v2:20261120T025100Z"
