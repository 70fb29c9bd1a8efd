"""Incident evidence: which metrics of which services went anomalous, when, which way, how far.

:func:`metric_evidence` streams every series of every service through its own
:class:`~nightowl.analysis.anomaly.detector.StreamingDetector` and keeps, per metric, the strongest
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


def _settings_for(points: int) -> DetectorSettings:
    """Size the detector's calibration history to the series: a quarter of it, within bounds.

    The series should therefore start well before the incident: its first quarter is the
    history the detector calibrates on (it scores nothing there).
    """
    return DetectorSettings(horizon=min(max(points // 4, MIN_HORIZON), MAX_HORIZON))


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def detect_metric(
    service: str, series: Series, *, threshold: float = DEFAULT_THRESHOLD
) -> MetricAnomaly | None:
    """The strongest anomaly of one series, or ``None`` if no point reaches ``threshold``.

    The strongest, not the first: in a window around an incident the incident is the most
    surprising thing a metric did, and a lone noisy point before it must not claim the onset.
    """
    if len(series.timestamps) != len(series.values):
        raise ValueError(f"{service}/{series.metric}: timestamps and values differ in length")
    settings = _settings_for(len(series.values))
    detector = StreamingDetector(settings)
    strongest: PointScore | None = None
    for i, (ts, value) in enumerate(zip(series.timestamps, series.values, strict=True)):
        point = detector.update(ts, value)
        # The first ``horizon`` points teach the detector what normal is: nothing is reported.
        # A point must also move the change detector: one noisy point is not an excursion.
        confirmed = point.strength >= CONFIRM and point.score >= threshold
        stronger = strongest is None or point.score > strongest.score
        if i >= settings.horizon and confirmed and stronger:
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
    services: Mapping[str, Mapping[str, Series]], *, threshold: float = DEFAULT_THRESHOLD
) -> MetricEvidence:
    """Run the detector over every metric of every service; sort what it finds by onset."""
    found = [
        anomaly
        for service, metrics in services.items()
        for series in metrics.values()
        if (anomaly := detect_metric(service, series, threshold=threshold)) is not None
    ]
    found.sort(key=lambda a: (a.onset, -a.score, a.service, a.metric))
    order: list[str] = []
    for anomaly in found:
        if anomaly.service not in order:
            order.append(anomaly.service)
    return MetricEvidence(anomalies=tuple(found), service_order=tuple(order))
