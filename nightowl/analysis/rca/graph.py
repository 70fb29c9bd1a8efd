"""The call graph's part in the ranking: faults propagate from a callee to its callers.

So a service whose callers are anomalous too is more likely the origin (``caller_support``), a
service with a callee at least as anomalous as itself is likely a victim (``explained_by_callee``),
and the cause of a symptom is the symptom's service or something it calls (``downstream``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence


def callers_of(graph: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Callee → callers (the graph reversed), without self-calls."""
    out: dict[str, list[str]] = defaultdict(list)
    for caller, callees in graph.items():
        for callee in callees:
            if callee != caller:
                out[callee].append(caller)
    return out


def downstream(graph: Mapping[str, Sequence[str]], start: str) -> set[str]:
    """``start`` and every service it calls, directly or through others."""
    seen = {start}
    todo = [start]
    while todo:
        for callee in graph.get(todo.pop(), ()):
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return seen


def upstream_of(graph: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """Service → every service that calls it, directly or through others (itself excluded)."""
    reverse = callers_of(graph)
    out: dict[str, set[str]] = {}
    for service in reverse:
        seen: set[str] = set()
        todo = list(reverse[service])
        while todo:
            caller = todo.pop()
            if caller not in seen and caller != service:
                seen.add(caller)
                todo.extend(reverse.get(caller, ()))
        out[service] = seen
    return out


def caller_support(
    local: Mapping[str, float], graph: Mapping[str, Sequence[str]], weight: float
) -> dict[str, tuple[float, str | None]]:
    """Each service's share of its most anomalous caller's anomaly (capped at its own), and who.

    Only positive anomalies count: a caller (or a service) that nothing singles out lends none.
    """
    reverse = callers_of(graph)
    out: dict[str, tuple[float, str | None]] = {}
    for service, own in local.items():
        above = max(reverse.get(service, ()), key=lambda c: local.get(c, 0.0), default=None)
        lift = weight * max(0.0, min(local.get(above, 0.0), own)) if above is not None else 0.0
        out[service] = (lift, above if lift > 0.0 else None)
    return out


def explained_by_callee(
    local: Mapping[str, float], graph: Mapping[str, Sequence[str]]
) -> dict[str, tuple[float, str | None]]:
    """How much of each service's anomaly its most anomalous callee explains (0 … 1), and who."""
    out: dict[str, tuple[float, str | None]] = {}
    for service, own in local.items():
        callees = [c for c in graph.get(service, ()) if c != service]
        below = max(callees, key=lambda c: local.get(c, 0.0), default=None)
        share = 0.0
        if below is not None and own > 0.0:
            share = min(1.0, max(0.0, local.get(below, 0.0) / own))
        out[service] = (share, below if share > 0.0 else None)
    return out


def path_support(
    local: Mapping[str, float],
    graph: Mapping[str, Sequence[str]],
    threshold: float,
    symptom: str | None = None,
    max_depth: int = 8,
) -> dict[str, tuple[float, tuple[str, ...]]]:
    """Each service's best chain of anomalous callers, and the sum of their anomalies.

    A fault climbs from its origin through the callers to the symptom, so the origin is the end
    of a chain of anomalous services (each at least ``threshold``) that reaches the symptom (or,
    without one, any caller). The chain's strength is the sum of its callers' anomalies (the
    service's own left out); a service whose anomaly reached no anomalous caller has none.
    """
    reverse = callers_of(graph)
    out: dict[str, tuple[float, tuple[str, ...]]] = {}
    for service in local:
        best: tuple[float, tuple[str, ...]] = (0.0, ())
        todo: list[tuple[str, float, tuple[str, ...]]] = [(service, 0.0, ())]
        while todo:
            node, total, path = todo.pop()
            if path and (symptom is None or node == symptom) and total > best[0]:
                best = (total, path)
            if node == symptom or len(path) >= max_depth:
                continue
            for caller in reverse.get(node, ()):
                value = local.get(caller, 0.0)
                if value >= threshold and caller not in path and caller != service:
                    todo.append((caller, total + value, (*path, caller)))
        out[service] = best
    return out


def coverage(
    local: Mapping[str, float], graph: Mapping[str, Sequence[str]], threshold: float
) -> dict[str, tuple[float, tuple[str, ...]]]:
    """How much of the anomaly seen upstream each service explains: the anomalies of every
    anomalous service that calls it, directly or not, discounted when it is not anomalous itself.
    """
    upstream = upstream_of(graph)
    out: dict[str, tuple[float, tuple[str, ...]]] = {}
    for service, own in local.items():
        callers = tuple(
            sorted(u for u in upstream.get(service, ()) if local.get(u, 0.0) >= threshold)
        )
        total = sum(local[u] for u in callers)
        credit = min(1.0, max(0.0, own) / threshold) if threshold > 0.0 else 1.0
        out[service] = (credit * total, callers)
    return out
