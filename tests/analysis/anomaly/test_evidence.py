"""Incident evidence: which metrics moved, when, which way, by how much, in what order."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from nightowl.analysis.anomaly.changepoint import Direction
from nightowl.analysis.anomaly.evidence import metric_evidence
from nightowl.domain.signals import Series

T0 = 1_700_000_000.0
MINUTE = 60.0


def _series(metric: str, rng: np.random.Generator, shift_at: int | None, delta: float) -> Series:
    values = 100 + rng.normal(0, 2, 400)
    if shift_at is not None:
        values[shift_at:] += delta
    stamps = tuple(T0 + MINUTE * i for i in range(400))
    return Series(metric=metric, labels={}, timestamps=stamps, values=tuple(map(float, values)))


def _minute(moment: datetime) -> float:
    return (moment.timestamp() - T0) / MINUTE


def test_evidence_orders_services_by_onset() -> None:
    rng = np.random.default_rng(11)
    services = {
        "frontend": {"latency_p99": _series("latency_p99", rng, 262, 40)},
        "payments": {
            "error_rate": _series("error_rate", rng, 250, 30),
            "request_rate": _series("request_rate", rng, None, 0),
        },
        "checkout": {"request_rate": _series("request_rate", rng, 270, -35)},
    }
    evidence = metric_evidence(services)
    assert evidence.service_order == ("payments", "frontend", "checkout")
    assert [(a.service, a.metric) for a in evidence.anomalies] == [
        ("payments", "error_rate"),
        ("frontend", "latency_p99"),
        ("checkout", "request_rate"),
    ]
    onsets = [_minute(a.onset) for a in evidence.anomalies]
    for onset, truth in zip(onsets, (250, 262, 270), strict=True):
        assert abs(onset - truth) <= 3
    first, second, third = evidence.anomalies
    assert first.onset.tzinfo is UTC
    assert first.direction is Direction.UP
    assert first.magnitude == pytest.approx(0.30, abs=0.05)
    assert second.magnitude == pytest.approx(0.40, abs=0.05)
    assert third.direction is Direction.DOWN
    assert third.magnitude == pytest.approx(-0.35, abs=0.05)
    assert all(a.detected_at >= a.onset for a in evidence.anomalies)
    assert all(0.0 < a.score < 1.0 for a in evidence.anomalies)


def test_quiet_metrics_produce_no_evidence() -> None:
    rng = np.random.default_rng(12)
    services = {f"svc{i}": {"cpu": _series("cpu", rng, None, 0)} for i in range(10)}
    assert metric_evidence(services).anomalies == ()


def test_models_are_frozen() -> None:
    rng = np.random.default_rng(13)
    evidence = metric_evidence({"db": {"latency": _series("latency", rng, 250, 30)}})
    with pytest.raises(ValueError, match="frozen"):
        evidence.anomalies[0].score = 0.0  # type: ignore[misc]


def test_history_calibrates_the_detector_so_an_early_shift_in_the_window_is_found() -> None:
    """With normal operation read before the window, a shift 10 points into a 60-point window is
    found (and its onset placed there); calibrating on the window's own first quarter hides it."""
    rng = np.random.default_rng(5)
    before = 100 + rng.normal(0, 2, 400)
    window = 100 + rng.normal(0, 2, 60)
    window[10:] += 30
    past = tuple(T0 + MINUTE * i for i in range(400))
    now = tuple(T0 + MINUTE * (400 + i) for i in range(60))
    history = Series(metric="error_rate", timestamps=past, values=tuple(map(float, before)))
    series = Series(metric="error_rate", timestamps=now, values=tuple(map(float, window)))

    alone = metric_evidence({"api": {"error_rate": series}})
    primed = metric_evidence(
        {"api": {"error_rate": series}}, history={"api": {"error_rate": history}}
    )

    assert alone.anomalies == ()
    (found,) = primed.anomalies
    assert abs(_minute(found.onset) - 410) <= 3
    assert found.detected_at.timestamp() >= now[0]
    assert found.baseline == pytest.approx(100, abs=3)
