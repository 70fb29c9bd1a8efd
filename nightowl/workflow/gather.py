"""The gather stage: read metrics, logs, deploys, cluster state and topology, within budgets.

Topology comes first (it decides which services are in scope: the alerting ones, their callers,
and their dependencies down the chain); then every other read runs concurrently. Each call gets
``call_timeout_seconds``, and the whole stage ``deadline_seconds``: a call still running at the
deadline is cut off. A slow or failing backend never fails the incident: its part is recorded as
unavailable, with the reason, and the analysis works with what arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import (
    ClusterEvent,
    Deploy,
    LogLevel,
    LogRecord,
    Observations,
    Pod,
    Series,
    Unavailable,
)
from nightowl.errors import NightowlError
from nightowl.settings import GatherSettings
from nightowl.workflow.runtime import Runtime

DOWNSTREAM_HOPS = 3
"""How far down the call chain from an alerting service the gather reads."""

T = TypeVar("T")
LOG_LIMIT = 2000


class Budget:
    """The per-call timeout and the stage's deadline; what failed or ran out is ``unavailable``."""

    def __init__(self, settings: GatherSettings) -> None:
        self.settings = settings
        self.loop = asyncio.get_running_loop()
        self.deadline = self.loop.time() + settings.deadline_seconds
        self.unavailable: list[Unavailable] = []

    async def guarded(self, source: str, what: str, call: Coroutine[Any, Any, T]) -> T | None:
        limit = self.settings.call_timeout_seconds
        budget = min(limit, self.deadline - self.loop.time())
        try:
            if budget <= 0:
                call.close()
                raise TimeoutError
            return await asyncio.wait_for(call, timeout=budget)
        except TimeoutError:
            reason = (
                f"no answer within {limit:g}s"
                if budget >= limit
                else f"cut off by the gather deadline of {self.settings.deadline_seconds:g}s"
            )
        except NightowlError as exc:
            reason = str(exc)
        except Exception as exc:  # noqa: BLE001 — a connector bug must degrade evidence, not fail the incident
            reason = f"{type(exc).__name__}: {exc}"
        self.unavailable.append(Unavailable(source=source, what=what, reason=reason))
        return None


async def gather(rt: Runtime, service: str | None, also: Iterable[str] = ()) -> Observations:
    """What the sources say about the neighbourhood of ``service`` and of the other services
    alerting in the incident (``also``)."""
    settings = rt.settings.gather
    now = rt.clock.now()
    start = now - timedelta(minutes=settings.lookback_minutes)
    budget = Budget(settings)
    topology: dict[str, list[str]] = {}
    for found in await asyncio.gather(
        *[budget.guarded(topo.name, "topology", topo.dependencies()) for topo in rt.topology]
    ):
        topology.update(found or {})
    services = _neighbourhood([service, *also] if service else list(also), topology)
    signals, logs, deploys, pods, events = await _read(rt, budget, services, start, now)
    return Observations(
        service=service,
        start=start,
        end=now,
        services=tuple(services),
        topology=topology,
        signals=signals,
        logs=tuple(logs),
        deploys=tuple(deploys),
        pods=tuple(pods),
        events=tuple(events),
        unavailable=tuple(budget.unavailable),
        sources={
            "metrics": ",".join(m.name for m in rt.metrics) or "none",
            "logs": ",".join(s.name for s in rt.logs) or "none",
            "deploys": ",".join(d.name for d in rt.deploys) or "none",
            "cluster": ",".join(c.name for c in rt.cluster) or "none",
        },
    )


async def _read(
    rt: Runtime, budget: Budget, services: list[str], start: datetime, now: datetime
) -> tuple[
    dict[str, dict[str, Series]], list[LogRecord], list[Deploy], list[Pod], list[ClusterEvent]
]:
    """Signals, logs, deploys, pods and events of ``services``, all read concurrently."""
    guarded = budget.guarded
    query = LogQuery(
        start=start,
        end=now,
        levels=(LogLevel.ERROR, LogLevel.FATAL, LogLevel.WARN),
        limit=LOG_LIMIT,
    )
    metric_keys = [(m, s) for m in rt.metrics for s in services]
    cluster_keys = [(c, s) for c in rt.cluster for s in services]
    step = rt.settings.gather.step_seconds
    metric_results, log_results, deploy_results, pod_results, event_results = await asyncio.gather(
        asyncio.gather(
            *[
                guarded(m.name, f"signals of {s}", m.service_signals(s, start, now, step))
                for m, s in metric_keys
            ]
        ),
        asyncio.gather(*[guarded(src.name, "logs", src.search(query)) for src in rt.logs]),
        asyncio.gather(
            *[guarded(d.name, "deploys", d.deploys(None, start, now)) for d in rt.deploys]
        ),
        asyncio.gather(
            *[guarded(c.name, f"pods of {s}", c.pods(s, start, now)) for c, s in cluster_keys]
        ),
        asyncio.gather(
            *[guarded(c.name, f"events of {s}", c.events(s, start, now)) for c, s in cluster_keys]
        ),
    )
    signals: dict[str, dict[str, Series]] = {}
    for (_m, s), result in zip(metric_keys, metric_results, strict=True):
        if result:
            signals.setdefault(s, {}).update({k.value: v for k, v in result.items()})
    logs: list[LogRecord] = [r for got in log_results for r in got or [] if r.service in services]
    deploys: list[Deploy] = [
        d for found in deploy_results for d in found or [] if d.service in services
    ]
    pods: list[Pod] = [p for found in pod_results for p in found or []]
    events: list[ClusterEvent] = sorted(
        (e for found in event_results for e in found or []), key=lambda e: e.at, reverse=True
    )
    return signals, logs, deploys, pods, events


def _neighbourhood(alerting: list[str], topology: dict[str, list[str]]) -> list[str]:
    """The alerting services, what calls them, and what they call — directly or down the chain to
    ``DOWNSTREAM_HOPS`` away, since the cause of a symptom is often a dependency further down.
    With no service at all, everything the topology knows."""
    if not alerting:
        return sorted(topology)
    near = set(alerting)
    for service in alerting:
        near |= {caller for caller, callees in topology.items() if service in callees}
    frontier = set(alerting)
    for _ in range(DOWNSTREAM_HOPS):
        frontier = {c for s in frontier for c in topology.get(s, [])} - near
        near |= frontier
    return sorted(near)
