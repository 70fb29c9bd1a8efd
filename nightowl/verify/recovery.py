"""Verify: after an action, are the symptoms back within tolerance of their baseline?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from nightowl.domain import Evidence, EvidenceKind, Series, SignalCheck, SignalKind, Verification
from nightowl.domain.units import value

CHECKED = (SignalKind.ERROR_RATE.value, SignalKind.LATENCY_P99.value, SignalKind.MEMORY.value)
ABSOLUTE_FLOOR = {SignalKind.ERROR_RATE.value: 0.01}


def symptoms(evidence: Sequence[Evidence], services: Sequence[str]) -> list[Evidence]:
    """The rises that made this an incident, on the services we act on and alert for."""
    wanted = set(services)
    return [
        e
        for e in evidence
        if e.kind is EvidenceKind.METRIC_CHANGE
        and e.service in wanted
        and e.signal in CHECKED
        and e.rising
    ]


def judge(
    symptoms_before: Sequence[Evidence],
    after: Mapping[str, Mapping[str, Series]],
    tolerance: float,
    window: tuple[datetime, datetime],
    at: datetime,
) -> Verification:
    """Recovered when every symptom's recent level is within ``tolerance`` × its baseline."""
    checks = [
        check(e, after.get(e.service or "", {}).get(e.signal or ""), tolerance)
        for e in symptoms_before
    ]
    recovered = bool(checks) and all(c.ok for c in checks)
    if not checks:
        summary = "no symptom to re-check: recovery cannot be confirmed"
    elif recovered:
        summary = "recovered: " + ", ".join(
            f"{c.service} {c.signal} {_shown(c.observed, c.signal)} ≤ {_shown(c.limit, c.signal)}"
            for c in checks
        )
    else:
        bad = [c for c in checks if not c.ok]
        summary = "not recovered: " + ", ".join(
            f"{c.service} {c.signal} {_shown(c.observed, c.signal)} > {_shown(c.limit, c.signal)}"
            for c in bad
        )
    return Verification(
        recovered=recovered,
        checked_at=at,
        window_start=window[0],
        window_end=window[1],
        checks=tuple(checks),
        summary=summary,
    )


def check(symptom: Evidence, series: Series | None, tolerance: float) -> SignalCheck:
    """One symptom re-read: the median of the second half of ``series`` against the limit.

    The limit is ``tolerance`` × the baseline, never below the signal's absolute floor (an error
    rate at or below 1 % passes, whatever the baseline). No series, or an empty one, fails.
    """
    baseline = symptom.baseline or 0.0
    limit = max(baseline * tolerance, ABSOLUTE_FLOOR.get(symptom.signal or "", 0.0))
    observed = None
    if series is not None and series.values:
        tail = np.asarray(series.values[len(series.values) // 2 :], dtype=np.float64)
        observed = float(np.median(tail))
    return SignalCheck(
        service=symptom.service or "",
        signal=symptom.signal or "",
        baseline=baseline,
        observed=observed,
        limit=limit,
        ok=observed is not None and observed <= limit,
    )


def _shown(v: float | None, signal: str) -> str:
    """A checked value in its unit (``no data`` when it could not be read)."""
    return "no data" if v is None else value(v, signal)
