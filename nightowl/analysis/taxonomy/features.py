"""Features: what the evidence says about each service, in the vocabulary signatures are written in.

A feature is present on a service when at least one piece of evidence shows it; the feature keeps
that evidence so a hypothesis can cite it. See ``builtin.yaml`` for the names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from nightowl.domain import Evidence, EvidenceKind, PatternLines, Topology

Features = dict[str, list[Evidence]]
SYMPTOMS = ("error_rate", "latency_p99")
RISES = {"cpu": "cpu_rise", "request_rate": "traffic_rise"}
CLUSTER = {"pod_restarts": "restarts", "oom_kills": "oom_killed", "crash_loop": "crash_looping"}
CRASH_EVENTS = ("event:BackOff", "event:CrashLoopBackOff")
RESOLVER_PATTERN = "log:dns_failure"
_Add = Callable[[str | None, str, Evidence], None]


def is_config(e: Evidence) -> bool:
    return e.kind is EvidenceKind.DEPLOY and e.change is not None and e.change.config


def _example(e: Evidence) -> str:
    """The line a log finding quotes (its summary when it keeps no example)."""
    detail = e.detail
    if isinstance(detail, PatternLines) and detail.example is not None:
        return detail.example
    return e.summary


def _about(e: Evidence) -> str | None:
    """The service a log finding's lines name by host (see analysis/attribution.py)."""
    return e.detail.about if isinstance(e.detail, PatternLines) else None


def _rising(e: Evidence, min_ratio: float = 1.0) -> bool:
    return e.kind is EvidenceKind.METRIC_CHANGE and e.rising and (e.magnitude or 1.0) >= min_ratio


def first_symptom(evidence: Iterable[Evidence], service: str) -> datetime | None:
    onsets = [
        e.onset
        for e in evidence
        if e.service == service and e.signal in SYMPTOMS and _rising(e) and e.onset
    ]
    return min(onsets) if onsets else None


def service_features(
    evidence: Sequence[Evidence],
    topology: Mapping[str, Sequence[str]],
    window: timedelta,
) -> dict[str, Features]:
    """Every service's present features, each with the evidence that shows it."""
    out: dict[str, Features] = {}

    def add(service: str | None, feature: str, e: Evidence) -> None:
        if service:
            out.setdefault(service, {}).setdefault(feature, []).append(e)

    for e in evidence:
        _own(e, evidence, window, add)
    graph = Topology(topology)
    for service in {*topology, *out}:
        for caller in graph.callers(service):
            for feature, found in list(out.get(caller, {}).items()):
                if feature.startswith("log:"):  # only lines that name this callee
                    for e in found:
                        if _about(e) is None and service in _example(e):
                            add(service, f"callers_{feature}", e)
        for callee in graph.callees(service):
            for e in evidence:
                if e.service == callee and e.signal in SYMPTOMS and _rising(e, 1.5):
                    add(service, "callee_anomalous", e)
    _shared_resolver(out, evidence, graph, add)
    return out


def _shared_resolver(
    out: dict[str, Features], evidence: Sequence[Evidence], graph: Topology, add: _Add
) -> None:
    """Name-resolution failures logged by several services that share one anomalous dependency
    point at it — the resolver they all use — rather than at the names they could not resolve or
    at the services that logged them (``callers_log:dns_failure`` on the resolver)."""
    loggers = sorted(s for s, f in out.items() if RESOLVER_PATTERN in f)
    if len(loggers) < 2:
        return
    shared = set.intersection(*(set(graph.downstream(s)) for s in loggers))
    for resolver in sorted(shared):
        if any(
            e.service == resolver and e.signal in SYMPTOMS and _rising(e, 1.5) for e in evidence
        ):
            for logger in loggers:
                for e in out[logger][RESOLVER_PATTERN]:
                    add(resolver, f"callers_{RESOLVER_PATTERN}", e)


def _own(e: Evidence, evidence: Sequence[Evidence], window: timedelta, add: _Add) -> None:
    service = e.service
    if e.kind is EvidenceKind.DEPLOY and service and e.onset:
        symptom = first_symptom(evidence, service)
        if symptom is None or symptom - window <= e.onset <= symptom + timedelta(minutes=2):
            add(service, "config_change" if is_config(e) else "deploy", e)
    elif e.kind is EvidenceKind.MONOTONIC_GROWTH and e.signal == "memory":
        add(service, "memory_growth", e)
    elif e.kind is EvidenceKind.METRIC_CHANGE and e.signal in CLUSTER:
        add(service, CLUSTER[e.signal], e)
    elif e.kind is EvidenceKind.METRIC_CHANGE and e.signal in RISES and _rising(e, 1.5):
        add(service, RISES[e.signal], e)
    elif e.kind is EvidenceKind.METRIC_CHANGE and e.signal in SYMPTOMS and _rising(e, 1.3):
        add(service, "error_rise" if e.signal == "error_rate" else "latency_rise", e)
    elif e.kind is EvidenceKind.LOG_ERRORS and e.signal:
        if e.signal.startswith("log:") and (about := _about(e)) is not None:
            add(about, f"callers_{e.signal}", e)  # a caller's lines name this one by its host
        elif e.signal.startswith("log:"):
            add(service, e.signal, e)
        elif e.signal in CRASH_EVENTS:
            add(service, "crash_looping", e)
