"""The analyze stage's metric anomaly and change detection.

Streaming, per point, no look-ahead: :mod:`.detector` is the default detector, scoring with
:mod:`.resonance` (adaptive resonance, :mod:`.art`, on :mod:`.resonance_features` of a range
learned from history) and describing each point with :mod:`.baseline` (what the value should be)
and :mod:`.changepoint` (onset, direction, size); :mod:`.evidence` turns the metrics of the
services around an incident into :class:`~.evidence.MetricEvidence` ordered by onset.
:mod:`.residual` (with :mod:`.tail`) is the previous default, :mod:`.cad` / :mod:`.fusion`
second opinions, :mod:`.gaussian` the windowed-Gaussian yardstick of the NAB benchmark.
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
