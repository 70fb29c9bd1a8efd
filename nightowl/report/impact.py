"""User impact in numbers: requests and failed requests over the degraded window.

Failed requests are the request rate times the error rate, integrated over time (the trapezoid
rule over the samples both series share, clipped to the window); the excess is the same with the
error rate above its level before the symptom. Only what the observations hold is counted: the
window is cut to the span the metrics cover, and the sentence in ``Impact.method`` says so.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from nightowl.domain import Observations, Series
from nightowl.report.model import Impact


def failed_requests(
    observations: Observations | None,
    service: str,
    start: datetime,
    end: datetime,
    baseline_error_rate: float | None,
    base: Impact,
) -> Impact:
    """``base`` with the request counts of ``service`` over ``[start, end]`` added, when its
    request and error rates were observed there (unchanged otherwise)."""
    signals = (observations.signals if observations else {}).get(service, {})
    rate, errors = signals.get("request_rate"), signals.get("error_rate")
    if rate is None or errors is None:
        return base
    points = _joined(rate, errors, start.timestamp(), end.timestamp())
    if len(points) < 2:
        return base
    normal = baseline_error_rate or 0.0
    total = _integral([(t, r) for t, r, _ in points])
    failed = _integral([(t, r * e) for t, r, e in points])
    excess = _integral([(t, r * max(e - normal, 0.0)) for t, r, e in points])
    t0, t1 = (datetime.fromtimestamp(points[i][0], start.tzinfo) for i in (0, -1))
    method = (
        f"{service}'s request_rate (req/s) × error_rate, integrated over the {len(points)} "
        f"samples from {t0:%H:%M:%S} to {t1:%H:%M:%S} UTC that the observations hold; excess: "
        f"above the error rate before the symptom ({normal * 100:.2f}%)"
    )
    return base.model_copy(
        update={
            "requests": total,
            "failed_requests": failed,
            "excess_failed_requests": excess,
            "method": method,
        }
    )


def _joined(
    rate: Series, errors: Series, start: float, end: float
) -> list[tuple[float, float, float]]:
    """(t, request rate, error rate) at the timestamps both series have, within the window."""
    error_at = dict(zip(errors.timestamps, errors.values, strict=False))
    return [
        (t, r, error_at[t])
        for t, r in zip(rate.timestamps, rate.values, strict=False)
        if start <= t <= end and t in error_at
    ]


def _integral(points: list[tuple[float, float]]) -> float:
    return sum((t1 - t0) * (v0 + v1) / 2 for (t0, v0), (t1, v1) in pairwise(points))
