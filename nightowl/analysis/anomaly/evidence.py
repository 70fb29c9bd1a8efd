"""Incident evidence: which metrics of which services went anomalous, when, which way, how far.

:func:`metric_evidence` streams every series of every service through its own
:class:`~nightowl.analysis.anomaly.detector.StreamingDetector` — first the same signal's history
of normal operation, when the gather stage read some (the detector learns ranges and noise from
it, as from NAB's probationary period), then the window — and keeps, per metric, the strongest
point whose score crosses the threshold. Its onset is the CUSUM's estimate of when the excursion
began (earlier than the detection for a slow drift), and the results are sorted by onset: the
service whose metrics moved first is where the diagnosis looks first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from nightowl.analysis.anomaly.changepoint import Direction
from nightowl.analysis.anomaly.detector import DetectorSettings, PointScore, StreamingDetector
from nightowl.domain.base import Model
from nightowl.domain.signals import Series

DEFAULT_THRESHOLD = 0.25  # the resonance score NAB's standard profile settles on in LOO (0.25-0.30)
CONFIRM = 5.0  # CUSUM strength, in mean absolute deviations, that makes a point an excursion
MIN_HORIZON = 20
MAX_HORIZON = 750
SETTLE = 0.75  # of the history calibrates; the rest lets the detector settle before the window
HISTORY_POINTS = 400
"""The most history the detector streams per series (calibration 300, settling 100): its cost is
per point, and an incident has dozens of series; the ranking and level changes use all of it."""


class MetricAnomaly(Model):
    """One metric of one service that became anomalous."""

    service: str
    metric: str
    onset: datetime
    detected_at: datetime
    direction: Direction
    baseline: float
    observed: float
    magnitude: float
    """Relative change of the mean since onset against the baseline (absolute if baseline = 0)."""
    score: float


class MetricEvidence(Model):
    """Every anomalous metric, earliest onset first, and the services in the order they moved."""

    anomalies: tuple[MetricAnomaly, ...]
    service_order: tuple[str, ...]


def _settings_for(points: int, history: int = 0) -> DetectorSettings:
    """Size the detector's calibration stretch.

    With enough history, the first ``SETTLE`` part of it (up to ``MAX_HORIZON`` points): the
    detector then settles (its masking after calibration, about a quarter of the calibration
    length) on the rest of the history, and scores the window from its first point. Without,
    a quarter of the window (it scores nothing there, so the window should start well before
    the incident).
    """
    if history >= MIN_HORIZON:
        return DetectorSettings(horizon=min(int(history * SETTLE), MAX_HORIZON))
    return DetectorSettings(horizon=min(max(points // 4, MIN_HORIZON), MAX_HORIZON))


def _primed(series: Series, history: Series | None) -> tuple[list[float], list[float], int]:
    """The points to stream (the usable tail of ``history`` before the window's own) and how many
    of them are history."""
    ts, values = list(series.timestamps), list(series.values)
    if history is None or len(history.values) < MIN_HORIZON:
        return ts, values, 0
    first = ts[0] if ts else float("inf")
    past = [(t, v) for t, v in zip(history.timestamps, history.values, strict=True) if t < first]
    past = past[-HISTORY_POINTS:]
    if len(past) < MIN_HORIZON:
        return ts, values, 0
    return [t for t, _ in past] + ts, [v for _, v in past] + values, len(past)


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def detect_metric(
    service: str,
    series: Series,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    history: Series | None = None,
) -> MetricAnomaly | None:
    """The strongest anomaly of one series, or ``None`` if no point reaches ``threshold``.

    The strongest, not the first: in a window around an incident the incident is the most
    surprising thing a metric did, and a lone noisy point before it must not claim the onset.
    ``history`` (the same signal before the window) calibrates the detector; only the window's
    own points are reported.
    """
    if len(series.timestamps) != len(series.values):
        raise ValueError(f"{service}/{series.metric}: timestamps and values differ in length")
    stamps, values, past = _primed(series, history)
    settings = _settings_for(len(series.values), past)
    start = max(settings.horizon, past)
    detector = StreamingDetector(settings)
    strongest: PointScore | None = None
    for i, (ts, value) in enumerate(zip(stamps, values, strict=True)):
        point = detector.update(ts, value)
        # The first ``horizon`` points teach the detector what normal is: nothing is reported.
        # A point must also move the change detector: one noisy point is not an excursion.
        confirmed = point.strength >= CONFIRM and point.score >= threshold
        stronger = strongest is None or point.score > strongest.score
        if i >= start and confirmed and stronger:
            strongest = point
    if strongest is None:
        return None
    return MetricAnomaly(
        service=service,
        metric=series.metric,
        onset=_at(strongest.onset),
        detected_at=_at(strongest.ts),
        direction=strongest.direction,
        baseline=strongest.baseline,
        observed=strongest.observed,
        magnitude=strongest.change,
        score=strongest.score,
    )


def metric_evidence(
    services: Mapping[str, Mapping[str, Series]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    history: Mapping[str, Mapping[str, Series]] | None = None,
) -> MetricEvidence:
    """Run the detector over every metric of every service (primed with its ``history`` where
    there is one: service → metric name → series); sort what it finds by onset."""
    past = history or {}
    found = [
        anomaly
        for service, metrics in services.items()
        for name, series in metrics.items()
        if (
            anomaly := detect_metric(
                service, series, threshold=threshold, history=past.get(service, {}).get(name)
            )
        )
        is not None
    ]
    found.sort(key=lambda a: (a.onset, -a.score, a.service, a.metric))
    order: list[str] = []
    for anomaly in found:
        if anomaly.service not in order:
            order.append(anomaly.service)
    return MetricEvidence(anomalies=tuple(found), service_order=tuple(order))
