"""The gather stage: read metrics, logs, deploys and topology concurrently, within budgets.

A slow or failing backend never fails the incident: its part is recorded as unavailable, with the
reason, and the analysis works with what arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import Deploy, LogLevel, LogRecord, Observations, Series, Unavailable
from nightowl.errors import NightowlError
from nightowl.workflow.runtime import Runtime

T = TypeVar("T")
LOG_LIMIT = 2000


async def gather(rt: Runtime, service: str | None) -> Observations:
    settings = rt.settings.gather
    now = rt.clock.now()
    start = now - timedelta(minutes=settings.lookback_minutes)
    unavailable: list[Unavailable] = []

    async def guarded(source: str, what: str, call: Awaitable[T]) -> T | None:
        try:
            return await asyncio.wait_for(call, timeout=settings.call_timeout_seconds)
        except TimeoutError:
            reason = f"no answer within {settings.call_timeout_seconds:g}s"
        except NightowlError as exc:
            reason = str(exc)
        except Exception as exc:  # noqa: BLE001 — a connector bug must degrade evidence, not fail the incident
            reason = f"{type(exc).__name__}: {exc}"
        unavailable.append(Unavailable(source=source, what=what, reason=reason))
        return None

    topology: dict[str, list[str]] = {}
    for topo in rt.topology:
        found = await guarded(topo.name, "topology", topo.dependencies())
        topology.update(found or {})
    services = _neighbourhood(service, topology)
    signals: dict[str, dict[str, Series]] = {}
    calls = [
        guarded(m.name, f"signals of {s}", m.service_signals(s, start, now, settings.step_seconds))
        for m in rt.metrics
        for s in services
    ]
    for (s, _m), result in zip(
        ((s, m) for m in rt.metrics for s in services), await asyncio.gather(*calls), strict=True
    ):
        if result:
            signals.setdefault(s, {}).update({k.value: v for k, v in result.items()})
    query = LogQuery(
        start=start,
        end=now,
        levels=(LogLevel.ERROR, LogLevel.FATAL, LogLevel.WARN),
        limit=LOG_LIMIT,
    )
    logs: list[LogRecord] = []
    for got in await asyncio.gather(
        *[guarded(src.name, "logs", src.search(query)) for src in rt.logs]
    ):
        logs += [r for r in got or [] if r.service in services]
    deploys: list[Deploy] = []
    for found_deploys in await asyncio.gather(
        *[guarded(d.name, "deploys", d.deploys(None, start, now)) for d in rt.deploys]
    ):
        deploys += [d for d in found_deploys or [] if d.service in services]
    return Observations(
        service=service,
        start=start,
        end=now,
        services=tuple(services),
        topology=topology,
        signals=signals,
        logs=tuple(logs),
        deploys=tuple(deploys),
        unavailable=tuple(unavailable),
        sources={
            "metrics": ",".join(m.name for m in rt.metrics) or "none",
            "logs": ",".join(s.name for s in rt.logs) or "none",
        },
    )


def _neighbourhood(service: str | None, topology: dict[str, list[str]]) -> list[str]:
    """The service, what it calls, and what calls it."""
    if service is None:
        return sorted(topology)
    near = {service, *topology.get(service, [])}
    near |= {caller for caller, callees in topology.items() if service in callees}
    return sorted(near)
