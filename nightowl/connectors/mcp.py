"""MCP tool servers as connectors: ``kind: mcp``, by ``command`` (stdio) or ``url`` (streamable HTTP).

Only the tools named in ``tools`` are ever called (the allowlist); a server's other tools —
whatever they claim to be — are never listed to the agent or called. Every allowlisted tool is
read-only for nightowl: gather and the agent read through it, and nothing else. A tool the server
marks destructive is refused unless the config names it in ``writes``, and a tool in ``writes`` is
never called by gather or the agent: only a runbook step ``action: mcp`` calls it, through the
``mcp`` action driver (``nightowl.actions.mcp``), after the policy and approvals like every write.

Where a tool's shape fits a protocol, the connector serves it: ``metrics`` names a PromQL-speaking
range (and instant) tool, whose answer is a Prometheus result (``resultType``/``result``), so the
connector is a ``MetricsSource`` and gather reads the services' golden signals through it (the
same PromQL templates as ``kind: prometheus``); ``logs`` names a tool answering a JSON list of
records (``timestamp``, ``message``, optional ``level``, ``service``), so it is a ``LogSource``;
``cluster`` names tools listing Kubernetes pods and events (the API's own objects, JSON or YAML),
so it is a ``ClusterSource`` (``nightowl.connectors.mcp_cluster``).

Every answer is untrusted data: it is bounded (``max_output_chars`` per call, or per tool in
``budgets``; a longer answer is refused, not cut, since cut JSON is wrong data), parsed into typed
series and records (labels and messages bounded like a webhook's), and shown to the agent only
through the agent's framing. One MCP session per event loop is kept open (opened on first use,
reopened after a failure); ``close`` ends them.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from nightowl.connectors.base import ConnectorConfig, parse_options
from nightowl.connectors.mcp_cluster import ClusterShape, McpCluster
from nightowl.connectors.mcp_shapes import log_records, series_of
from nightowl.connectors.prometheus import DEFAULT_SIGNALS
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogRecord, Series, SignalKind
from nightowl.errors import ConfigError, ConnectorError
from nightowl.settings import PluginConfig, Settings


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class McpMetrics(_Part):
    """``metrics``: the tools that answer PromQL, and how their arguments are named."""

    range_tool: str
    instant_tool: str | None = None
    query_arg: str = "query"
    start_arg: str = "start"
    end_arg: str = "end"
    step_arg: str = "step"
    time_arg: str = "time"
    signals: dict[SignalKind, str] = Field(
        default={}, description="PromQL per golden signal; unset ones use kind prometheus's."
    )
    rate_window: str = Field(default="5m", pattern=r"^\d+[smhd]$")


class McpLogs(_Part):
    """``logs``: the tool that searches logs, and how its arguments are named."""

    tool: str
    service_arg: str | None = "service"
    text_arg: str | None = "query"
    start_arg: str | None = "start"
    end_arg: str | None = "end"
    limit_arg: str | None = "limit"


class McpConfig(ConnectorConfig):
    """``kind: mcp``: one MCP server, the tools nightowl may call, and their budgets."""

    command: list[str] = []
    url: str | None = None
    env: dict[str, SecretStr] = {}
    headers: dict[str, SecretStr] = {}
    tools: list[str] = Field(min_length=1, description="The only tools nightowl ever calls.")
    writes: list[str] = Field(
        default=[], description="Tools that change something: never called by gather or agent."
    )
    metrics: McpMetrics | None = None
    logs: McpLogs | None = None
    cluster: McpCluster | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="Per call.")
    start_timeout_seconds: float = Field(
        default=30.0, gt=0, le=300, description="For the server to start and list its tools."
    )
    max_output_chars: int = Field(default=200_000, ge=100, le=10_000_000)
    budgets: dict[str, int] = Field(default={}, description="Tool → its own max_output_chars.")
    max_series: int = Field(default=500, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one_transport(self) -> McpConfig:
        if bool(self.command) == bool(self.url):
            raise ValueError("give either command (stdio) or url (streamable HTTP), not both")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url {self.url!r} is not an http:// or https:// URL")
        named = (
            {t for t in (self.metrics.range_tool, self.metrics.instant_tool) if t}
            if (self.metrics)
            else set()
        )
        if self.logs:
            named.add(self.logs.tool)
        if self.cluster:
            named |= self.cluster.tools()
        missing = sorted(named - set(self.tools))
        if missing:
            raise ValueError(
                f"metrics/logs/cluster name tools not in the tools allowlist: {missing}"
            )
        if unlisted := sorted(set(self.writes) - set(self.tools)):
            raise ValueError(f"writes name tools not in the tools allowlist: {unlisted}")
        if set(self.writes) & named:
            raise ValueError("a tool in writes cannot serve metrics, logs or cluster (reads only)")
        return self


class McpTools:
    """An MCP server's allowlisted, read-only tools. Safe to share between tasks; one session
    per event loop. ``call`` raises ConnectorError for a refused tool, a failed or oversized
    answer, or a server that cannot be reached."""

    def __init__(self, name: str, config: McpConfig, log: Path | None = None) -> None:
        """``log``: where a stdio server's standard error goes (appended; discarded if None)."""
        self.name, self.config, self.log = name, config, log
        self._links: dict[asyncio.AbstractEventLoop, tuple[asyncio.Task[None], Any]] = {}
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        self._stops: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}
        self._offered: dict[asyncio.AbstractEventLoop, dict[str, Any]] = {}
        """Per session: the server's tools and their annotations (listed when it opens)."""

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> McpTools:
        """The connector for one ``connectors`` entry: the class serving the protocols its
        ``metrics``, ``logs`` and ``cluster`` name."""
        config = parse_options(McpConfig, plugin)
        _require_sdk()
        cls = _serving(config.metrics is not None, config.logs is not None,
                       config.cluster is not None)  # fmt: skip
        return cls(plugin.name, config, settings.data_dir / "mcp" / f"{plugin.name}.log")

    @property
    def readable(self) -> list[str]:
        """The tools gather and the agent may call: allowlisted and not marked as writes."""
        return [t for t in self.config.tools if t not in self.config.writes]

    async def check(self) -> None:
        """Reach the server and list its tools; ConnectorError when an allowlisted tool is not
        there."""
        await self._client()
        offered = set(self._offered.get(asyncio.get_running_loop(), {}))
        missing = [t for t in self.readable if t not in offered]
        if missing:
            raise ConnectorError(
                f"the server offers no tool {', '.join(missing)} (it has: "
                f"{', '.join(sorted(offered)[:20])})",
                connector=self.name,
                retryable=False,
            )

    async def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        """Call an allowlisted read tool; its answer as JSON data (the structured content, else
        the text parsed as JSON, else the text), within the tool's output budget."""
        if tool not in self.readable:
            why = "is marked as a write" if tool in self.config.writes else "is not in tools"
            raise ConnectorError(f"tool {tool!r} {why}: not called", connector=self.name,
                                 retryable=False)  # fmt: skip
        client = await self._client()
        if self._writes_by_annotation(tool):
            raise ConnectorError(
                f"tool {tool!r} is marked by the server as one that changes something "
                "(readOnlyHint false or destructiveHint true): not called",
                connector=self.name,
                retryable=False,
            )
        return await self._answer(client, tool, arguments)

    async def call_write(self, tool: str, arguments: dict[str, Any]) -> Any:
        """Call a tool the config marks in ``writes``, for the ``mcp`` action driver only (after
        the policy allowed it); ConnectorError for any other tool. Its answer as ``call``'s."""
        if tool not in self.config.writes:
            raise ConnectorError(f"tool {tool!r} is not in writes: not called",
                                 connector=self.name, retryable=False)  # fmt: skip
        return await self._answer(await self._client(), tool, arguments)

    async def _answer(self, client: Any, tool: str, arguments: dict[str, Any]) -> Any:
        result = await self._guard(client.call_tool(tool, arguments), f"tool {tool}")
        text = "".join(getattr(c, "text", "") for c in result.content)
        limit = self.config.budgets.get(tool, self.config.max_output_chars)
        size = len(text) + len(json.dumps(result.structured_content or {}))
        if size > 2 * limit or len(text) > limit:
            raise ConnectorError(
                f"tool {tool} answered {size:,} characters, over its budget of {limit:,} "
                "(budgets / max_output_chars): refused",
                connector=self.name,
                retryable=False,
            )
        if result.is_error:
            raise ConnectorError(f"tool {tool} failed: {text[:300]}", connector=self.name)
        return _data(result.structured_content, text)

    async def close(self) -> None:
        """End this loop's session (the others end with their loops)."""
        loop = asyncio.get_running_loop()
        if loop in self._stops:
            self._stops.pop(loop).set()
            task, _ = self._links.pop(loop)
            await asyncio.gather(task, return_exceptions=True)

    async def _guard(self, call: Any, what: str) -> Any:
        try:
            return await asyncio.wait_for(call, timeout=self.config.timeout_seconds)
        except TimeoutError:
            self._drop()
            raise ConnectorError(
                f"{what}: no answer within {self.config.timeout_seconds:g}s", connector=self.name
            ) from None
        except Exception as exc:  # noqa: BLE001 — the SDK's and transport's errors, translated here
            self._drop()
            raise ConnectorError(f"{what}: {type(exc).__name__}: {exc}"[:500],
                                 connector=self.name) from None  # fmt: skip

    def _drop(self) -> None:
        """Forget this loop's session after a failure: the next call opens a new one."""
        loop = asyncio.get_running_loop()
        stop = self._stops.pop(loop, None)
        if stop is not None:
            stop.set()
            self._links.pop(loop, None)

    async def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(loop, asyncio.Lock())
        async with lock:
            link = self._links.get(loop)
            if link is not None and not link[0].done():
                return link[1]
            ready: asyncio.Future[Any] = loop.create_future()
            stop = asyncio.Event()
            task = loop.create_task(self._own(ready, stop), name=f"mcp-{self.name}")
            try:
                client = await asyncio.wait_for(
                    asyncio.shield(ready), self.config.start_timeout_seconds
                )
            except TimeoutError:
                stop.set()
                raise ConnectorError(
                    f"the server did not start within {self.config.start_timeout_seconds:g}s",
                    connector=self.name,
                ) from None
            self._links[loop], self._stops[loop] = (task, client), stop
            listed = await self._guard(client.list_tools(), "tools/list")
            self._offered[loop] = {t.name: t.annotations for t in listed.tools}
            return client

    def _writes_by_annotation(self, tool: str) -> bool:
        """Whether the server itself says ``tool`` changes something. A tool it does not
        annotate is taken as the allowlist says (read-only)."""
        notes = self._offered.get(asyncio.get_running_loop(), {}).get(tool)
        if notes is None:
            return False
        return notes.read_only_hint is False or notes.destructive_hint is True

    async def _own(self, ready: asyncio.Future[Any], stop: asyncio.Event) -> None:
        """Hold one session open until ``stop`` (the SDK's session lives in the task that
        opened it)."""
        from mcp import Client

        try:
            async with AsyncExitStack() as stack:
                client = await stack.enter_async_context(Client(await self._target(stack)))
                ready.set_result(client)
                await stop.wait()
        except Exception as exc:  # noqa: BLE001 — the server failing to start, translated here
            if not ready.done():
                ready.set_exception(ConnectorError(
                    f"could not open the MCP session: {type(exc).__name__}: {exc}"[:500],
                    connector=self.name,
                ))  # fmt: skip

    async def _target(self, stack: AsyncExitStack) -> Any:
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        config = self.config
        if config.command:
            env = {k: v.get_secret_value() for k, v in config.env.items()}
            server = StdioServerParameters(command=config.command[0], args=config.command[1:],
                                           env=env)  # fmt: skip
            return stdio_client(server, errlog=stack.enter_context(self._errlog()))
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        headers = {k: v.get_secret_value() for k, v in config.headers.items()}
        http = await stack.enter_async_context(
            httpx2.AsyncClient(headers=headers, timeout=config.timeout_seconds)
        )
        return streamable_http_client(str(config.url), http_client=http)

    def _errlog(self) -> TextIO:
        if self.log is None:
            return open(os.devnull, "w")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        return self.log.open("a")


class McpMetricsSource(McpTools):
    """An MCP server whose PromQL tools serve metrics (``metrics``): a ``MetricsSource``."""

    async def query(self, query: str, at: datetime) -> list[Series]:
        """The instant tool at ``at`` (the range tool over one step when there is none)."""
        m = self._metrics
        if m.instant_tool is None:
            return [s.model_copy(update={"timestamps": s.timestamps[-1:], "values": s.values[-1:]})
                    for s in await self.query_range(query, at, at, 60) if s.values]  # fmt: skip
        found = await self.call(m.instant_tool, {m.query_arg: query, m.time_arg: at.isoformat()})
        return series_of(found, self.name, self.config.max_series)

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        """The range tool over [start, end] every ``step_seconds``."""
        m = self._metrics
        arguments = {m.query_arg: query, m.start_arg: start.isoformat(),
                     m.end_arg: end.isoformat(), m.step_arg: f"{max(1, step_seconds)}s"}  # fmt: skip
        found = await self.call(m.range_tool, arguments)
        return series_of(found, self.name, self.config.max_series)

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]:
        """Every golden signal with data, from the same PromQL templates as ``kind:
        prometheus`` (or ``metrics.signals``)."""
        m = self._metrics
        escaped = service.replace("\\", "\\\\").replace('"', '\\"')
        out: dict[SignalKind, Series] = {}
        for signal in SignalKind:
            template = m.signals.get(signal, DEFAULT_SIGNALS[signal])
            query = template.replace("{service}", escaped).replace("{window}", m.rate_window)
            found = await self.query_range(query, start, end, step_seconds)
            if found and found[0].values:
                labels = {**found[0].labels, "service": service}
                out[signal] = found[0].model_copy(update={"metric": signal.value, "labels": labels})
        return out

    @property
    def _metrics(self) -> McpMetrics:
        assert self.config.metrics is not None  # from_plugin picks this class only then
        return self.config.metrics


class McpLogSource(McpTools):
    """An MCP server whose log tool serves logs (``logs``): a ``LogSource``."""

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """The log tool's records in [start, end] matching ``query``, newest first."""
        assert self.config.logs is not None  # from_plugin picks this class only then
        spec = self.config.logs
        given = {spec.service_arg: query.service, spec.text_arg: query.text,
                 spec.start_arg: query.start.isoformat(), spec.end_arg: query.end.isoformat(),
                 spec.limit_arg: query.limit}  # fmt: skip
        arguments = {k: v for k, v in given.items() if k is not None and v is not None}
        found = log_records(await self.call(spec.tool, arguments), self.name, query)
        return found[: query.limit]

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """MCP tools answer once: a tail is not served (ConnectorError while iterating)."""
        raise ConnectorError("an MCP tool cannot be tailed", connector=self.name, retryable=False)
        yield  # pragma: no cover — makes this an async generator


class McpClusterSource(ClusterShape, McpTools):
    """An MCP server whose Kubernetes tools serve cluster state (``cluster``): a
    ``ClusterSource``."""


@functools.cache
def _serving(metrics: bool, logs: bool, cluster: bool) -> type[McpTools]:
    """The class serving exactly the protocols configured (one class per combination, so a
    protocol check — ``isinstance(c, ClusterSource)`` — says what the connector serves)."""
    chosen = [c for c, on in ((McpMetricsSource, metrics), (McpLogSource, logs),
                              (McpClusterSource, cluster)) if on]  # fmt: skip
    if len(chosen) <= 1:
        return chosen[0] if chosen else McpTools
    name = "Mcp" + "".join(c.__name__.removeprefix("Mcp").removesuffix("Source") for c in chosen)
    return type(name, tuple(chosen), {"__doc__": "An MCP server serving several protocols."})


def _data(structured: Any, text: str) -> Any:
    """A tool's answer as data: its structured content (unwrapped from the SDK's ``result``
    wrapper), else its text as JSON, else the text itself."""
    if isinstance(structured, dict) and structured:
        return structured["result"] if set(structured) == {"result"} else structured
    try:
        return json.loads(text)
    except ValueError:
        return text


def _require_sdk() -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise ConfigError(
            "kind mcp needs the MCP SDK: pip install 'nightowl[mcp]'", where="connectors"
        ) from None
