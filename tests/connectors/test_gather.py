"""The gather stage reads normal operation before the window (``gather.history_minutes``): the same
signals and error logs, kept apart from the window in ``Observations.history``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from nightowl.clock import ScenarioClock
from nightowl.connectors.gather import Gather
from nightowl.connectors.sources import Sources
from nightowl.domain import LogLevel, LogRecord, Series, SignalKind
from nightowl.settings import GatherSettings
from nightowl.testing.sources import FakeLogs, FakeMetrics, FakeTopology

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def _series(signal: SignalKind, hours: int) -> Series:
    start = NOW - timedelta(hours=hours)
    stamps = tuple((start + timedelta(minutes=i)).timestamp() for i in range(hours * 60 + 1))
    return Series(metric=signal.value, timestamps=stamps, values=tuple(1.0 for _ in stamps))


def _gather(minutes: int, *, metrics_error: str | None = None) -> Gather:
    signals = {s: {SignalKind.ERROR_RATE: _series(SignalKind.ERROR_RATE, 12)} for s in ("a", "b")}
    logs = [
        LogRecord(timestamp=NOW - timedelta(hours=h), service="b", level=LogLevel.ERROR, message=m)
        for h, m in ((3, "old error"), (0.5, "new error"))
    ]
    sources = Sources.of(
        [
            FakeMetrics(signals, error=metrics_error),
            FakeLogs(logs),
            FakeTopology({"a": ["b"]}),
        ]
    )
    settings = GatherSettings(lookback_minutes=60, history_minutes=minutes)
    return Gather(sources, settings, ScenarioClock(NOW))


def test_history_is_the_stretch_before_the_window_and_apart_from_it() -> None:
    obs = asyncio.run(_gather(240).gather("a"))
    window = obs.signals["b"]["error_rate"]
    history = obs.history.signals["b"]["error_rate"]
    assert min(window.timestamps) >= obs.start.timestamp()
    assert max(history.timestamps) <= obs.start.timestamp()
    assert min(history.timestamps) >= (obs.start - timedelta(minutes=240)).timestamp()
    assert len(history.values) >= 239
    assert [r.message for r in obs.history.logs] == ["old error"]
    assert [r.message for r in obs.logs] == ["new error"]


def test_no_history_when_switched_off() -> None:
    obs = asyncio.run(_gather(0).gather("a"))
    assert obs.history.signals == {}
    assert obs.history.logs == ()
    assert obs.signals["a"]["error_rate"].values


def test_a_failing_history_read_is_recorded_not_fatal() -> None:
    obs = asyncio.run(_gather(240, metrics_error="backend down").gather("a"))
    assert obs.history.signals == {}
    assert {u.what for u in obs.unavailable} >= {"history of a", "history of b"}
    assert [r.message for r in obs.history.logs] == ["old error"]
