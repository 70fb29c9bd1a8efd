"""rank_incident: Observations in, a ranking and a verdict out, against history when there is one."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from nightowl.analysis.rca import rank_incident
from nightowl.domain.observations import History, Observations
from nightowl.domain.signals import Series

FAULT = 1_700_000_000.0
GRAPH = {"web": ["api"], "api": ["db"], "db": []}


def _series(service: str, values: np.ndarray, start: float) -> Series:
    return Series(
        metric="latency",
        labels={"service": service},
        timestamps=tuple(start + 300.0 * i for i in range(len(values))),
        values=tuple(float(v) for v in values),
    )


def _obs(slow: set[str]) -> Observations:
    rng = np.random.default_rng(2)
    history = {
        s: {"latency": _series(s, rng.normal(10, 1, 600), FAULT - 86_400 * 3)} for s in GRAPH
    }
    signals = {}
    for s in GRAPH:
        values = rng.normal(10, 1, 5)
        if s in slow:
            values[2:] += 40.0 if s != "db" else 80.0
        signals[s] = {"latency": _series(s, values, FAULT - 600.0)}
    return Observations(
        service="web",
        start=datetime.fromtimestamp(FAULT - 600.0, tz=UTC),
        end=datetime.fromtimestamp(FAULT + 600.0, tz=UTC),
        services=tuple(GRAPH),
        topology=GRAPH,
        signals=signals,
        history=History(signals=history),
    )


def test_a_slow_database_is_named_from_five_points_and_a_history() -> None:
    verdict = rank_incident(
        _obs({"web", "api", "db"}), datetime.fromtimestamp(FAULT, tz=UTC), symptom_metric="latency"
    )
    assert verdict.ranked[0].service == "db"
    assert verdict.root_cause == "db"


def test_normal_operation_names_no_root_cause() -> None:
    verdict = rank_incident(
        _obs(set()), datetime.fromtimestamp(FAULT, tz=UTC), symptom_metric="latency"
    )
    assert verdict.root_cause is None
    assert verdict.explanation.startswith("no root cause")
    assert verdict.ranked
