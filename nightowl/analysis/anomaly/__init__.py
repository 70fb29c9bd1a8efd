"""The analyze stage's metric anomaly and change detection.

Streaming, per point and in bounded memory: :mod:`.baseline` (what the value should be),
:mod:`.tail` (how surprising its residual is), :mod:`.changepoint` (onset, direction, size) and
:mod:`.detector` (the calibrated score, with hold-off); :mod:`.evidence` turns the metrics of the
services around an incident into :class:`~.evidence.MetricEvidence` ordered by onset.
:mod:`.gaussian` is the windowed-Gaussian yardstick of the NAB benchmark.
"""

from nightowl.analysis.anomaly.detector import (
    DetectorSettings,
    PointScore,
    StreamingDetector,
    score_series,
)
from nightowl.analysis.anomaly.evidence import MetricAnomaly, MetricEvidence, metric_evidence

__all__ = [
    "DetectorSettings",
    "MetricAnomaly",
    "MetricEvidence",
    "PointScore",
    "StreamingDetector",
    "metric_evidence",
    "score_series",
]
