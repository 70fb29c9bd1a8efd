"""Rank services as root causes of a fault: score their signals, then read the call graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from nightowl.analysis.rca.anomaly import score_series
from nightowl.analysis.rca.logsignals import log_signals
from nightowl.analysis.rca.model import RankConfig, RankedService, SignalAnomaly
from nightowl.domain.signals import LogRecord, Series


def service_anomalies(
    signals: Mapping[str, Mapping[str, Series]], fault_time: datetime, config: RankConfig
) -> dict[str, list[SignalAnomaly]]:
    """Every judged signal of every service, strongest first."""
    out: dict[str, list[SignalAnomaly]] = {}
    for service, metrics in signals.items():
        scored = [score_series(service, s, fault_time, config) for s in metrics.values()]
        found = [a for a in scored if a is not None]
        out[service] = sorted(found, key=lambda a: -abs(a.score))
    return out


def peer_scores(anomalies: dict[str, list[SignalAnomaly]]) -> dict[str, float]:
    """Each service's strongest signal, relative to how much the same signal moved elsewhere."""
    by_metric: dict[str, list[float]] = defaultdict(list)
    for found in anomalies.values():
        for a in found:
            by_metric[a.metric].append(abs(a.score))
    typical = {m: float(np.median(v)) for m, v in by_metric.items()}
    return {
        s: max((max(a.score, 0.0) / (1.0 + typical[a.metric]) for a in found), default=0.0)
        for s, found in anomalies.items()
    }


def explained(
    local: dict[str, float], graph: Mapping[str, Sequence[str]], weight: float
) -> dict[str, float]:
    """Credit a service with its most anomalous caller: faults propagate to callers."""
    callers: dict[str, list[str]] = defaultdict(list)
    for caller, callees in graph.items():
        for callee in callees:
            if callee != caller:
                callers[callee].append(caller)
    out = {}
    for service, own in local.items():
        above = max((local.get(c, 0.0) for c in callers[service]), default=0.0)
        out[service] = own + weight * min(above, own)
    return out


def rank_services(
    signals: Mapping[str, Mapping[str, Series]],
    graph: Mapping[str, Sequence[str]],
    fault_time: datetime,
    *,
    logs: Sequence[LogRecord] = (),
    config: RankConfig | None = None,
) -> list[RankedService]:
    """Services ordered from the likeliest root cause of a fault at ``fault_time``.

    ``signals`` maps service → metric name → series; ``graph`` maps a caller to its callees.
    """
    config = config or RankConfig()
    merged = {s: dict(m) for s, m in signals.items()}
    for service, extra in log_signals(logs).items():
        merged.setdefault(service, {}).update(extra)
    anomalies = service_anomalies(merged, fault_time, config)
    local = peer_scores(anomalies)
    scores = explained(local, graph, config.explain_weight)
    ordered = sorted(scores, key=lambda s: (-scores[s], s))
    return [
        RankedService(
            service=s,
            rank=i + 1,
            score=scores[s],
            anomaly=scores[s],
            signals=tuple(anomalies[s][:5]),
        )
        for i, s in enumerate(ordered)
    ]
