"""The gather stage: read metrics, logs, deploys, cluster state and topology, within budgets.

Topology comes first (it decides which services are in scope: the alerting ones, their callers,
and their dependencies down the chain); then every other read runs concurrently, the history of
normal operation before the window (``gather.history_minutes``: the same signals and error logs,
which analysis learns each signal's normal level and spread from) among them. Each call gets
``call_timeout_seconds``, and the whole stage ``deadline_seconds``: a call still running at the
deadline is cut off. A slow or failing backend never fails the incident: its part is recorded as
unavailable, with the reason, and the analysis works with what arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Sized
from datetime import datetime, timedelta
from typing import Any, TypeVar

from nightowl.clock import Clock
from nightowl.connectors.protocols import LogQuery
from nightowl.connectors.sources import Sources
from nightowl.domain import (
    ClusterEvent,
    Deploy,
    Incident,
    LogLevel,
    LogRecord,
    Observations,
    Pod,
    Series,
    SignalKind,
    StageContext,
    StageName,
    StageResult,
    Unavailable,
)
from nightowl.domain.graph import ServiceCard
from nightowl.domain.observations import History
from nightowl.domain.ports import Knowledge
from nightowl.domain.topology import Topology
from nightowl.errors import NightowlError
from nightowl.settings import GatherSettings
from nightowl.telemetry import meters, span

DOWNSTREAM_HOPS = 3
"""How far down the call chain from an alerting service the gather reads."""

T = TypeVar("T")
LOG_LIMIT = 2000
ERROR_LEVELS = (LogLevel.ERROR, LogLevel.FATAL, LogLevel.WARN)


class Budget:
    """The per-call timeout and the stage's deadline; what failed or ran out is ``unavailable``."""

    def __init__(self, settings: GatherSettings) -> None:
        self.settings = settings
        self.loop = asyncio.get_running_loop()
        self.deadline = self.loop.time() + settings.deadline_seconds
        self.unavailable: list[Unavailable] = []

    async def guarded(self, source: str, what: str, call: Coroutine[Any, Any, T]) -> T | None:
        """``call``'s answer, or None when it failed or ran out of time (kept as unavailable);
        a span per call (connector, query, rows, error), its duration and outcome counted."""
        attributes = {"nightowl.connector.name": source, "nightowl.connector.query": what}
        with (
            span(f"read {source}", attributes) as traced,
            meters.timed(meters.CONNECTOR_SECONDS.labels(source)),
        ):
            got, failure = await self._call(call)
            if failure is None:
                traced.set("nightowl.connector.rows", len(got) if isinstance(got, Sized) else None)
                outcome = "ok"
            else:
                outcome, reason = failure
                self.unavailable.append(Unavailable(source=source, what=what, reason=reason))
                traced.set("error.type", outcome)
                traced.fail(reason[:500])
            meters.count(meters.CONNECTOR_CALLS.labels(source, outcome))
            return got

    async def _call(self, call: Coroutine[Any, Any, T]) -> tuple[T | None, tuple[str, str] | None]:
        """The answer, or None and (timeout or error, why)."""
        limit = self.settings.call_timeout_seconds
        budget = min(limit, self.deadline - self.loop.time())
        try:
            if budget <= 0:
                call.close()
                raise TimeoutError
            return await asyncio.wait_for(call, timeout=budget), None
        except TimeoutError:
            reason = (
                f"no answer within {limit:g}s"
                if budget >= limit
                else f"cut off by the gather deadline of {self.settings.deadline_seconds:g}s"
            )
            return None, ("timeout", reason)
        except NightowlError as exc:
            return None, ("error", str(exc))
        except Exception as exc:  # noqa: BLE001 — a connector bug must degrade evidence, not fail the incident
            return None, ("error", f"{type(exc).__name__}: {exc}")


class Gather:
    """The gather stage: the observations of the incident's neighbourhood, for the engine to store
    once and hand to analysis by reference."""

    name = StageName.GATHER

    def __init__(
        self,
        sources: Sources,
        settings: GatherSettings,
        clock: Clock,
        knowledge: Knowledge | None = None,
    ) -> None:
        self.sources, self.settings, self.clock = sources, settings, clock
        self.knowledge = knowledge

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        alerting = sorted({a.service for a in incident.alerts if a.service} - {incident.service})
        obs = await self.gather(incident.service, alerting)
        points = sum(len(s.values) for per in obs.signals.values() for s in per.values())
        missing = (
            f"; unavailable: {', '.join(u.what for u in obs.unavailable)}"
            if obs.unavailable
            else ""
        )
        return StageResult(
            summary=f"{len(obs.services)} services, {points} metric points, {len(obs.logs)} log "
            f"lines, {len(obs.deploys)} deploys{missing}",
            observations=obs,
        )

    async def gather(self, service: str | None, also: Iterable[str] = ()) -> Observations:
        """What the sources say about the neighbourhood of ``service`` and of the other services
        alerting in the incident (``also``)."""
        now = self.clock.now()
        start = now - timedelta(minutes=self.settings.lookback_minutes)
        budget = Budget(self.settings)
        topology, endpoints = await self._graph(budget)
        alerting = [service, *also] if service else list(also)
        cards, known = await self._knowledge(budget, alerting, now)
        topology = topology or known  # no live topology: the graph's last known one
        services = Topology(topology).neighbourhood(alerting, DOWNSTREAM_HOPS)
        (signals, logs, deploys, pods, events), history = await asyncio.gather(
            self._read(budget, services, start, now), self._history(budget, services, start)
        )
        return Observations(
            service=service,
            start=start,
            end=now,
            services=tuple(services),
            topology=topology,
            endpoints=endpoints,
            signals=signals,
            logs=tuple(logs),
            deploys=tuple(deploys),
            pods=tuple(pods),
            events=tuple(events),
            unavailable=tuple(budget.unavailable),
            sources=dict(self.sources.names),
            history=history,
            knowledge=cards,
        )

    async def _knowledge(
        self, budget: Budget, alerting: list[str], now: datetime
    ) -> tuple[tuple[ServiceCard, ...], dict[str, list[str]]]:
        """The graph's cards of the alerting services (one call away) and its last known
        topology; nothing without a graph, and "unavailable" when it cannot be read."""
        if self.knowledge is None:
            return (), {}
        graph = self.knowledge

        def read() -> tuple[tuple[ServiceCard, ...], dict[str, list[str]]]:
            cards = tuple(graph.card(s, now, hops=1) for s in dict.fromkeys(alerting))
            return tuple(c for c in cards if c.known), graph.dependencies()

        found = await budget.guarded("graph", "knowledge graph", asyncio.to_thread(read))
        return found or ((), {})

    async def _graph(self, budget: Budget) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """The call graph and the names every service is reached by, from every source of each."""
        src = self.sources
        graphs, names = await asyncio.gather(
            asyncio.gather(
                *[budget.guarded(t.name, "topology", t.dependencies()) for t in src.topology]
            ),
            asyncio.gather(
                *[budget.guarded(e.name, "endpoints", e.endpoints()) for e in src.endpoints]
            ),
        )
        topology: dict[str, list[str]] = {}
        for found in graphs:
            topology.update(found or {})
        endpoints: dict[str, list[str]] = {}
        for listed in names:
            for service, hosts in (listed or {}).items():
                endpoints[service] = sorted({*endpoints.get(service, []), *hosts})
        return topology, endpoints

    async def _history(self, budget: Budget, services: list[str], end: datetime) -> History:
        """Normal operation in the ``history_minutes`` before ``end`` (the window's start): the
        signals of ``services`` and their error logs. A source that fails leaves its part empty
        (recorded as unavailable); the analysis then judges against the window alone."""
        minutes = self.settings.history_minutes
        if minutes <= 0:
            return History()
        start = end - timedelta(minutes=minutes)
        src, step = self.sources, self.settings.step_seconds
        keys = [(m, s) for m in src.metrics for s in services]
        query = LogQuery(start=start, end=end, levels=ERROR_LEVELS, limit=LOG_LIMIT)
        metric_results, log_results = await asyncio.gather(
            asyncio.gather(
                *[
                    budget.guarded(
                        m.name, f"history of {s}", m.service_signals(s, start, end, step)
                    )
                    for m, s in keys
                ]
            ),
            asyncio.gather(
                *[budget.guarded(x.name, "log history", x.search(query)) for x in src.logs]
            ),
        )
        return History(
            signals=_by_service(keys, metric_results),
            logs=tuple(r for got in log_results for r in got or [] if r.service in services),
        )

    async def _read(
        self, budget: Budget, services: list[str], start: datetime, now: datetime
    ) -> tuple[
        dict[str, dict[str, Series]], list[LogRecord], list[Deploy], list[Pod], list[ClusterEvent]
    ]:
        """Signals, logs, deploys, pods and events of ``services``, all read concurrently."""
        src, guarded = self.sources, budget.guarded
        query = LogQuery(start=start, end=now, levels=ERROR_LEVELS, limit=LOG_LIMIT)
        metric_keys = [(m, s) for m in src.metrics for s in services]
        # deploys over the history too: a slow leak pages long after the deploy that brought it
        since = start - timedelta(minutes=self.settings.history_minutes)
        cluster_keys = [(c, s) for c in src.cluster for s in services]
        step = self.settings.step_seconds
        (
            metric_results,
            log_results,
            deploy_results,
            pod_results,
            event_results,
        ) = await asyncio.gather(
            asyncio.gather(
                *[
                    guarded(m.name, f"signals of {s}", m.service_signals(s, start, now, step))
                    for m, s in metric_keys
                ]
            ),
            asyncio.gather(*[guarded(x.name, "logs", x.search(query)) for x in src.logs]),
            asyncio.gather(
                *[guarded(d.name, "deploys", d.deploys(None, since, now)) for d in src.deploys]
            ),
            asyncio.gather(
                *[guarded(c.name, f"pods of {s}", c.pods(s, start, now)) for c, s in cluster_keys]
            ),
            asyncio.gather(
                *[
                    guarded(c.name, f"events of {s}", c.events(s, start, now))
                    for c, s in cluster_keys
                ]
            ),
        )
        signals = _by_service(metric_keys, metric_results)
        logs = [r for got in log_results for r in got or [] if r.service in services]
        deploys = [d for found in deploy_results for d in found or [] if d.service in services]
        pods = [p for found in pod_results for p in found or []]
        events = sorted(
            (e for found in event_results for e in found or []), key=lambda e: e.at, reverse=True
        )
        return signals, logs, deploys, pods, events


def _by_service(
    keys: Iterable[tuple[object, str]], results: Iterable[dict[SignalKind, Series] | None]
) -> dict[str, dict[str, Series]]:
    """The metric reads of every (source, service) pair, as service → signal name → series."""
    signals: dict[str, dict[str, Series]] = {}
    for (_source, service), result in zip(keys, results, strict=True):
        if result:
            signals.setdefault(service, {}).update({k.value: v for k, v in result.items()})
    return signals
