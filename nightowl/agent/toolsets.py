"""The role toolsets: typed functions over nightowl's connectors, whose signatures are the schemas.

observer: metrics only. diagnostician: read-only diagnostics (logs, deploys, cluster state, topology,
allowlisted read-only commands, the deterministic evidence). remediator: ``propose_action``, which
records a proposal and executes nothing. No toolset holds a write: a model, whatever it read, can
only read more or propose. Every call goes through the ledger (an id, a record, framed output).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic_ai import ModelRetry
from pydantic_ai.toolsets import FunctionToolset

from nightowl.agent.ledger import Ledger
from nightowl.agent.prompts import Prompts, Toolset
from nightowl.agent.tooldata import fold
from nightowl.connectors.protocols import (
    ClusterSource,
    DeploySource,
    LogQuery,
    LogSource,
    MetricsSource,
    ToolSource,
    TopologySource,
)
from nightowl.domain import Evidence, Hypothesis, LogLevel, Scalar, Series
from nightowl.domain.base import Model

ToolFn = Callable[..., Awaitable[str]]
LEVELS = {"INFO": LogLevel.INFO, "WARN": LogLevel.WARN, "ERROR": LogLevel.ERROR}
COMMANDS = Literal["kubectl get pods", "kubectl get events", "kubectl rollout history"]


@dataclass(frozen=True)
class Sources:
    """The connectors the agent may read (the runtime's), fixed for the process."""

    metrics: Sequence[MetricsSource] = ()
    logs: Sequence[LogSource] = ()
    deploys: Sequence[DeploySource] = ()
    cluster: Sequence[ClusterSource] = ()
    topology: Sequence[TopologySource] = ()
    tools: Sequence[ToolSource] = ()
    step_seconds: int = 30


class Proposal(Model):
    kind: str
    service: str
    reason: str


@dataclass
class Scope:
    """What one run may look at: the incident's window and its deterministic findings."""

    start: datetime
    end: datetime
    evidence: tuple[Evidence, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
    action_kinds: tuple[str, ...] = ()
    proposals: list[Proposal] = field(default_factory=list)


def build(
    names: Sequence[Toolset], src: Sources, scope: Scope, ledger: Ledger, prompts: Prompts
) -> list[FunctionToolset[None]]:
    factories = {
        Toolset.OBSERVER: _observer,
        Toolset.DIAGNOSTICIAN: _diagnostician,
        Toolset.REMEDIATOR: _remediator,
    }
    out = []
    for name in names:
        toolset: FunctionToolset[None] = FunctionToolset(sequential=True, id=name.value)
        for tool in factories[name](src, scope, ledger):
            toolset.add_function(tool, name=tool.__name__, description=prompts.tool(tool.__name__))
        out.append(toolset)
    return out


def _observer(src: Sources, scope: Scope, ledger: Ledger) -> list[ToolFn]:
    async def service_signals(service: str) -> str:
        async def read() -> str:
            lines = []
            for m in src.metrics:
                found = await m.service_signals(service, scope.start, scope.end, src.step_seconds)
                lines += [summarise(s, kind.value) for kind, s in sorted(found.items())]
            return "\n".join(lines)

        return await ledger.call("service_signals", {"service": service}, read)

    async def query_metric(query: str) -> str:
        async def read() -> str:
            lines = []
            for m in src.metrics:
                found = await m.query_range(query, scope.start, scope.end, src.step_seconds)
                lines += [summarise(s, s.metric) for s in found[:10]]
            return "\n".join(lines)

        return await ledger.call("query_metric", {"query": query}, read)

    return [service_signals, query_metric]


def _diagnostician(src: Sources, scope: Scope, ledger: Ledger) -> list[ToolFn]:
    async def search_logs(
        service: str, min_level: Literal["INFO", "WARN", "ERROR"] = "WARN", text: str | None = None
    ) -> str:
        wanted = tuple(lv for lv in LogLevel if _rank(lv) >= _rank(LEVELS[min_level]))
        query = LogQuery(
            service=service, levels=wanted, start=scope.start, end=scope.end, text=text, limit=500
        )

        async def read() -> str:
            records = [r for s in src.logs for r in await s.search(query)]
            return "\n".join(fold(f"{r.level.value} {r.message}" for r in records))

        args = {"service": service, "min_level": min_level, "text": text}
        return await ledger.call("search_logs", args, read)

    async def recent_deploys(service: str | None = None) -> str:
        async def read() -> str:
            found = [
                d for s in src.deploys for d in await s.deploys(service, scope.start, scope.end)
            ]
            return "\n".join(
                f"{d.at:%H:%M:%S} {d.service} {d.previous_version or '?'} → {d.version}"
                f" by {d.author or '?'}: {d.summary or ''}"
                for d in sorted(found, key=lambda d: d.at)
            )

        return await ledger.call("recent_deploys", {"service": service}, read)

    async def cluster_state(service: str) -> str:
        return await ledger.call(
            "cluster_state", {"service": service}, lambda: _cluster(src, scope, service, "all")
        )

    async def readonly_command(command: COMMANDS, service: str) -> str:
        return await ledger.call(
            "readonly_command",
            {"command": command, "service": service},
            lambda: _cluster(src, scope, service, command),
        )

    async def topology() -> str:
        async def read() -> str:
            graph: dict[str, list[str]] = {}
            for t in src.topology:
                graph.update(await t.dependencies())
            return "\n".join(
                f"{caller} -> {', '.join(callees)}" for caller, callees in graph.items()
            )

        return await ledger.call("topology", {}, read)

    async def known_evidence() -> str:
        async def read() -> str:
            lines = [f"evidence {e.id}: {e.summary}" for e in scope.evidence]
            lines += [
                f"hypothesis {h.kind} on {h.service} ({h.confidence:.2f}): {h.summary}"
                for h in scope.hypotheses
            ]
            return "\n".join(lines)

        return await ledger.call("known_evidence", {}, read)

    tools: list[ToolFn] = [
        search_logs, recent_deploys, cluster_state, readonly_command, topology, known_evidence
    ]  # fmt: skip
    return [*tools, _tool_server(src, ledger)] if src.tools else tools


def _tool_server(src: Sources, ledger: Ledger) -> ToolFn:
    """``mcp_tool``: one allowlisted read-only tool of a configured tool server (``kind: mcp``)."""
    servers = {s.name: s for s in src.tools}

    async def mcp_tool(server: str, tool: str, arguments: dict[str, Scalar] | None = None) -> str:
        found = servers.get(server)
        if found is None or tool not in found.readable:
            offered = "; ".join(f"{n}: {', '.join(s.readable)}" for n, s in servers.items())
            raise ModelRetry(f"no tool {tool!r} on {server!r}; the tools you may call: {offered}")

        async def read() -> str:
            answer = await found.call(tool, dict(arguments or {}))
            return answer if isinstance(answer, str) else json.dumps(answer, default=str)

        return await ledger.call("mcp_tool", {"server": server, "tool": tool}, read)

    return mcp_tool


def _remediator(src: Sources, scope: Scope, ledger: Ledger) -> list[ToolFn]:
    async def propose_action(kind: str, service: str, reason: str) -> str:
        if kind not in scope.action_kinds:
            raise ModelRetry(
                f"unknown action kind {kind!r}; use one of {', '.join(scope.action_kinds)}"
            )
        scope.proposals.append(Proposal(kind=kind, service=service, reason=reason))

        async def read() -> str:
            return f"proposal recorded: {kind} {service} (checked by runbooks and policy; not executed)"

        return await ledger.call("propose_action", {"kind": kind, "service": service}, read)

    return [propose_action]


async def _cluster(src: Sources, scope: Scope, service: str, what: str) -> str:
    lines: list[str] = []
    for c in src.cluster:
        if what in ("all", "kubectl get pods"):
            for p in await c.pods(service, scope.start, scope.end):
                lines.append(
                    f"pod {p.name} {p.phase} ready={p.ready} restarts={p.restarts}"
                    f" oom_kills={p.oom_kills} version={p.version or '?'}"
                )
        if what in ("all", "kubectl get events"):
            events = await c.events(service, scope.start, scope.end)
            lines += fold(f"event {e.reason}: {e.message}" for e in events)
        if what == "kubectl rollout history":
            lines += [f"revision {r.revision}: {r.version}" for r in await c.rollouts(service)]
    return "\n".join(lines)


def summarise(series: Series, name: str) -> str:
    """Baseline (median of the first third), latest, peak, and the worst ratio to the baseline."""
    values = series.values
    if not values:
        return f"{name}: no data"
    head = values[: max(1, len(values) // 3)]
    base = statistics.median(head)
    peak = max(values)
    ratio = f", peak/baseline {peak / base:.1f}x" if base else ""
    return f"{name}: baseline {base:.4g}, latest {values[-1]:.4g}, peak {peak:.4g}{ratio}"


def _rank(level: LogLevel) -> int:
    return list(LogLevel).index(level)
