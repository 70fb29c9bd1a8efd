"""Rank services as root causes of a fault: score their signals, then read the call graph.

1. Every signal of every service gets a robust shift score (``anomaly``); error logs become an
   error-count signal per service (``logsignals``).
2. A service's own anomaly is its largest margin over the same signal in any other service that
   is not one of its callers (a signal that moved in many services says little about where the
   fault is; callers inherit their callee's anomaly, so they are not its competitors).
3. Optionally (``caller_weight``, ``explain_weight``, off by default), a service is credited with
   part of its anomalous callers' anomaly and loses part of its own to an anomalous callee
   (``graph``).
4. A deploy of the service shortly before the fault raises its score.
5. Ties go to the earlier onset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from nightowl.analysis.rca.anomaly import score_series
from nightowl.analysis.rca.graph import (
    caller_support,
    coverage,
    downstream,
    explained_by_callee,
    path_support,
    upstream_of,
)
from nightowl.analysis.rca.logsignals import log_signals
from nightowl.analysis.rca.model import RankConfig, RankedService, SignalAnomaly
from nightowl.analysis.rca.normal import Normal, learn_normals
from nightowl.analysis.rca.patterns import PatternBaseline, pattern_anomalies
from nightowl.analysis.rca.symptom import correlations
from nightowl.domain.base import utc
from nightowl.domain.signals import Deploy, LogRecord, Series

EVIDENCE = 5
FAR_FUTURE = float("inf")


def service_anomalies(
    signals: Mapping[str, Mapping[str, Series]],
    fault_time: datetime,
    config: RankConfig,
    normals: Mapping[tuple[str, str], Normal] | None = None,
) -> dict[str, list[SignalAnomaly]]:
    """Every judged signal of every service, strongest first (against ``normals`` where known)."""
    known = normals or {}
    out: dict[str, list[SignalAnomaly]] = {}
    for service, metrics in signals.items():
        scored = [
            score_series(service, s, fault_time, config, known.get((service, name)))
            for name, s in metrics.items()
        ]
        found = [a for a in scored if a is not None]
        out[service] = sorted(found, key=lambda a: -a.score)
    return out


def peer_scores(
    anomalies: Mapping[str, Sequence[SignalAnomaly]],
    fall_weight: float,
    reference: str = "runner_up",
    graph: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, float]:
    """Each service's strongest shift, relative to how the same signal moved elsewhere.

    With ``reference="runner_up"`` (the default), a signal speaks for a service by the margin of
    its shift over the largest shift of the same signal in any other service: a signal that
    singles one service out is strong evidence, one that moved in many services (latency that
    spreads to every caller, a noisy percentile) is weak, whatever its size. The margin is
    negative for a service that no signal singles out, so those still rank among themselves.
    With a call ``graph``, a service's own callers, direct or not, are left out of its reference:
    they inherit its anomaly when it is the origin.
    With ``reference="median"`` the shift is divided by one plus the signal's median shift over
    services instead.

    A fall counts ``fall_weight`` as much as a rise: a drop (of traffic, of availability) can be
    the fault, but is more often its consequence.
    """
    by_metric: dict[str, dict[str, float]] = defaultdict(dict)
    for service, found in anomalies.items():
        for a in found:
            weighted = _weighted(a.score, fall_weight)
            by_metric[a.metric][service] = max(weighted, by_metric[a.metric].get(service, 0.0))
    upstream = upstream_of(graph or {})
    out = dict.fromkeys(anomalies, -FAR_FUTURE)
    for values in by_metric.values():
        if reference == "none":
            relative = dict(values)
        elif reference == "median":
            typical = float(np.median([abs(v) for v in values.values()]))
            relative = {s: v / (1.0 + typical) for s, v in values.items()}
        else:
            relative = margins(values, upstream)
        for service, value in relative.items():
            out[service] = max(out[service], value)
    # A service with no judged signal ranks with the least anomalous ones, never above them.
    known = [v for v in out.values() if v > -FAR_FUTURE]
    floor = min(min(known, default=0.0), 0.0)
    return {s: v if v > -FAR_FUTURE else floor for s, v in out.items()}


def margins(
    values: Mapping[str, float], upstream: Mapping[str, set[str]] | None = None
) -> dict[str, float]:
    """Each value minus the largest value of the others, leaving out each one's ``upstream``."""
    ordered = sorted(values.items(), key=lambda item: -item[1])
    out: dict[str, float] = {}
    for service, value in values.items():
        skip = upstream.get(service, set()) if upstream else set()
        other = next((v for s, v in ordered if s != service and s not in skip), 0.0)
        out[service] = value - other
    return out


def _weighted(score: float, fall_weight: float) -> float:
    return score if score >= 0.0 else -fall_weight * score


def _recent_deploys(
    deploys: Sequence[Deploy], fault_time: datetime, config: RankConfig
) -> dict[str, Deploy]:
    fault = utc(fault_time)
    recent: dict[str, Deploy] = {}
    for deploy in deploys:
        at = utc(deploy.at)
        newer = deploy.service not in recent or utc(recent[deploy.service].at) < at
        if fault - config.deploy_window <= at <= fault and newer:
            recent[deploy.service] = deploy
    return recent


def _onset(found: Sequence[SignalAnomaly]) -> datetime | None:
    onsets = [a.onset for a in found if a.onset is not None and a.score > 0.0]
    return min(onsets, default=None)


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What the ranking knows about every service once its signals are scored."""

    anomalies: Mapping[str, Sequence[SignalAnomaly]]
    local: Mapping[str, float]
    support: Mapping[str, tuple[float, str | None]]
    chains: Mapping[str, tuple[float, tuple[str, ...]]]
    explained: Mapping[str, tuple[float, str | None]]
    deploys: Mapping[str, Deploy]


def _judge(service: str, ev: _Evidence, config: RankConfig) -> RankedService:
    """One service's final score and the reasons for it."""
    own = ev.local[service]
    lift, caller = ev.support[service]
    share, callee = ev.explained[service]
    chain, path = ev.chains.get(service, (0.0, ()))
    score = own * (1.0 - config.explain_weight * share) + lift + config.path_weight * chain
    reasons = [_signal_reason(a) for a in ev.anomalies[service][:2] if a.score > 0.0]
    if caller is not None:
        reasons.append(f"its caller {caller} is anomalous too (faults propagate to callers)")
    if path:
        reasons.append(f"its anomaly reached {' → '.join(path)}")
    if callee is not None and share >= 1.0:
        reasons.append(f"its callee {callee} is at least as anomalous (it may only be a victim)")
    deploy = ev.deploys.get(service)
    if deploy is not None:
        score = score * (1.0 + config.deploy_boost) + config.deploy_boost
        reasons.append(f"deployed {deploy.version} at {utc(deploy.at):%H:%M:%S}")
    return RankedService(
        service=service,
        rank=0,
        score=score,
        anomaly=own,
        onset=_onset(ev.anomalies[service]),
        reasons=tuple(reasons),
        signals=tuple(ev.anomalies[service][:EVIDENCE]),
    )


def rank_services(
    signals: Mapping[str, Mapping[str, Series]],
    graph: Mapping[str, Sequence[str]],
    fault_time: datetime,
    *,
    logs: Sequence[LogRecord] = (),
    deploys: Sequence[Deploy] = (),
    symptom: str | None = None,
    config: RankConfig | None = None,
    patterns: PatternBaseline | None = None,
    history: Mapping[str, Mapping[str, Series]] | None = None,
    symptom_metric: str | None = None,
) -> list[RankedService]:
    """Services ordered from the likeliest root cause of a fault at ``fault_time``.

    ``signals`` maps service → metric name → series; ``graph`` maps a caller to its callees;
    ``logs`` and ``deploys`` are optional evidence. With ``symptom`` (the service whose alert
    fired), only it and the services it calls, directly or not, are candidates: a fault reaches a
    caller through its callees, never the other way. Pure and deterministic: no I/O, safe to
    call from any thread. Services that appear only in the graph or the logs are ranked too.
    With ``patterns`` (event-pattern baselines learnt from fault-free logs, ``learn_baseline``),
    each baselined service also gets a ``log.patterns`` signal: how far its logs after the fault
    depart from its baseline (``patterns``).
    """
    config = config or RankConfig()
    merged = {s: dict(m) for s, m in signals.items()}
    for service, extra in log_signals(logs, config.log_bucket).items():
        merged.setdefault(service, {}).update(extra)
    for service in {*graph, *(c for callees in graph.values() for c in callees)}:
        merged.setdefault(service, {})
    normals = learn_normals({k: dict(v) for k, v in (history or {}).items()}, config)
    anomalies = service_anomalies(merged, fault_time, config, normals)
    if symptom_metric is not None:
        anomalies = {
            s: sorted(
                (
                    a
                    if a.metric == symptom_metric
                    else a.model_copy(update={"score": a.score * config.other_weight})
                    for a in found
                ),
                key=lambda a: -a.score,
            )
            for s, found in anomalies.items()
        }
    if patterns:
        found = pattern_anomalies(
            logs, patterns, fault_time, config.horizon, config.pattern_new_weight
        )
        for service, anomaly in found.items():
            own = [*anomalies.get(service, ()), anomaly]
            anomalies[service] = sorted(own, key=lambda a: -a.score)
    local = peer_scores(anomalies, config.fall_weight, config.peer_reference, graph)
    evidence = _Evidence(
        anomalies=anomalies,
        local=local,
        support=caller_support(local, graph, config.caller_weight),
        explained=explained_by_callee(local, graph),
        chains=(coverage if config.support == "coverage" else path_support)(
            local, graph, config.threshold
        )
        if config.path_weight > 0.0
        else {},
        deploys=_recent_deploys(deploys, fault_time, config),
    )
    candidates = downstream(graph, symptom) if symptom is not None else set(local)
    judged = [_judge(s, evidence, config) for s in local if s in candidates]
    judged.sort(key=lambda r: (-r.score, r.onset.timestamp() if r.onset else FAR_FUTURE, r.service))
    if symptom is not None and symptom_metric is not None and config.correlation_weight > 0.0:
        corr = correlations(merged, symptom, symptom_metric, fault_time, config)
        judged = _fuse(judged, corr, config)
    return [r.model_copy(update={"rank": i + 1}) for i, r in enumerate(judged)]


def _fuse(
    judged: list[RankedService], corr: Mapping[str, float], config: RankConfig
) -> list[RankedService]:
    """Order by the mean of a service's place by score and its place by correlation."""
    by_corr = sorted(judged, key=lambda r: -corr.get(r.service, -1.0))
    place = {r.service: i for i, r in enumerate(by_corr)}
    w = config.correlation_weight
    fused = {r.service: (1 - w) * i + w * place[r.service] for i, r in enumerate(judged)}
    order = {r.service: i for i, r in enumerate(judged)}
    return sorted(judged, key=lambda r: (fused[r.service], order[r.service]))


def _signal_reason(a: SignalAnomaly) -> str:
    return f"{a.metric} rose from {a.baseline:.4g} to {a.observed:.4g} (shift {a.score:.2f})"
