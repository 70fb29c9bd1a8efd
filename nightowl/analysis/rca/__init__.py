"""Root-cause ranking for the analyze and diagnose stages: which service a fault started in.

``rank_services`` reads each service's signals (metric series, and optionally log records and
deploys, and per-service log-pattern baselines learnt from fault-free data) around the fault time and the call graph, and orders the services from the likeliest
root cause, each with its score, its strongest signals and the reasons for its place. See
docs/rca.md for the method.
"""

from nightowl.analysis.rca.anomaly import score_series
from nightowl.analysis.rca.incident import RcaVerdict, rank_incident
from nightowl.analysis.rca.logsignals import log_signals
from nightowl.analysis.rca.model import RankConfig, RankedService, SignalAnomaly
from nightowl.analysis.rca.patterns import PatternBaseline, learn_baseline
from nightowl.analysis.rca.ranker import rank_services

__all__ = [
    "PatternBaseline",
    "RankConfig",
    "RankedService",
    "RcaVerdict",
    "SignalAnomaly",
    "learn_baseline",
    "log_signals",
    "rank_incident",
    "rank_services",
    "score_series",
]
