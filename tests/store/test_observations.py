"""Observations by reference, on every backend: saved once per round, replaced by a re-run, loaded
back equal, forgotten with the incident."""

from __future__ import annotations

from datetime import timedelta

from nightowl.domain import LogLevel, LogRecord, Observations, Series
from nightowl.store import IncidentStore
from nightowl.store.observations import ObservationStore
from tests.store.samples import T0


def observations(points: int) -> Observations:
    series = Series(
        metric="latency_p99",
        labels={"service": "checkout"},
        timestamps=tuple(T0.timestamp() + 30 * i for i in range(points)),
        values=tuple(0.25 + i / 1000 for i in range(points)),
    )
    return Observations(
        service="checkout",
        start=T0,
        end=T0 + timedelta(hours=1),
        services=("checkout",),
        signals={"checkout": {"latency_p99": series}},
        logs=(LogRecord(timestamp=T0, service="checkout", level=LogLevel.ERROR, message="boom"),),
    )


def test_saved_once_loaded_back_equal(store: IncidentStore) -> None:
    box = ObservationStore(store.engine)
    obs = observations(120)
    ref = box.save("inc-1", "look0", obs, T0)
    assert ref == "inc-1/look0"
    assert box.load(ref) == obs
    assert box.load("inc-1/look9") is None


def test_a_rerun_replaces_what_the_earlier_attempt_saved(store: IncidentStore) -> None:
    box = ObservationStore(store.engine)
    box.save("inc-1", "look0", observations(10), T0)
    ref = box.save("inc-1", "look0", observations(20), T0)
    loaded = box.load(ref)
    assert loaded is not None
    assert len(loaded.signals["checkout"]["latency_p99"].values) == 20


def test_forgetting_an_incident_deletes_all_its_rounds(store: IncidentStore) -> None:
    box = ObservationStore(store.engine)
    box.save("inc-1", "look0", observations(5), T0)
    box.save("inc-1", "look1", observations(5), T0)
    box.save("inc-2", "look0", observations(5), T0)
    assert box.forget("inc-1") == 2
    assert box.load("inc-1/look0") is None
    assert box.load("inc-2/look0") is not None
