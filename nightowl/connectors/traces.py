"""A service graph from recorded traces: ``kind: traces``, reading OTLP JSON or Jaeger JSON files.

A span whose parent span belongs to another service is a call: ``parent's service -> span's
service``. Files (a ``path`` glob) hold either OTLP JSON (``ExportTraceServiceRequest``:
``resourceSpans[].resource.attributes`` gives ``service.name``, ``scopeSpans[].spans[]`` gives
``traceId``/``spanId``/``parentSpanId``) — one document or one per line, as the OpenTelemetry
Collector's file exporter writes — or Jaeger's JSON (``data[].spans[]`` with ``references`` of type
``CHILD_OF``, and ``processes`` giving each span's ``serviceName``), as its UI and API export.
"""

from __future__ import annotations

import asyncio
import glob
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import Field

from nightowl.connectors.base import ConnectorConfig, parse_options
from nightowl.errors import ConnectorError
from nightowl.settings import PluginConfig, Settings

Span = tuple[str, str, str | None, str]
"""(trace id, span id, parent span id, service)"""


class TracesConfig(ConnectorConfig):
    """``kind: traces``."""

    path: str = Field(description="A glob of OTLP JSON or Jaeger JSON files.")


class TraceTopology:
    """The call graph seen in trace files. Reads in a worker thread; safe to share."""

    def __init__(self, name: str, config: TracesConfig) -> None:
        self.name = name
        self.config = config

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> TraceTopology:
        """The connector of one ``connectors`` entry (its options validated as TracesConfig)."""
        return cls(plugin.name, parse_options(TracesConfig, plugin))

    async def check(self) -> None:
        """ConnectorError (permanent) when the trace files hold no span with a service."""
        if not await self.dependencies():
            raise ConnectorError(
                f"no spans with a service found in {self.config.path!r}",
                connector=self.name,
                retryable=False,
            )

    async def dependencies(self) -> dict[str, list[str]]:
        """The caller → callee graph of the spans in the trace files, read in a worker thread."""
        return await asyncio.to_thread(self._graph)

    def _graph(self) -> dict[str, list[str]]:
        spans = [span for path in self._files() for span in self._spans(path)]
        service_of = {(trace, span): service for trace, span, _, service in spans}
        graph: dict[str, set[str]] = {service: set() for *_, service in spans}
        for trace, _, parent, service in spans:
            caller = service_of.get((trace, parent)) if parent else None
            if caller is not None and caller != service:
                graph[caller].add(service)
        return {s: sorted(callees) for s, callees in sorted(graph.items())}

    def _files(self) -> list[Path]:
        paths = sorted(Path(p) for p in glob.glob(self.config.path, recursive=True))
        if not paths:
            raise ConnectorError(
                f"no file matches {self.config.path!r}", connector=self.name, retryable=False
            )
        return paths

    def _spans(self, path: Path) -> list[Span]:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            documents = [json.loads(text)]
        except ValueError:
            try:
                documents = [json.loads(line) for line in text.splitlines() if line.strip()]
            except ValueError as exc:
                raise ConnectorError(
                    f"{path} is neither JSON nor JSON lines: {exc}",
                    connector=self.name,
                    retryable=False,
                ) from None
        return [span for doc in documents if isinstance(doc, dict) for span in _read(doc)]


def _read(doc: dict[str, Any]) -> Iterator[Span]:
    if "resourceSpans" in doc:
        yield from _otlp(doc)
    elif "data" in doc or "spans" in doc:
        for trace in doc.get("data") or [doc]:
            yield from _jaeger(trace)


def _otlp(doc: dict[str, Any]) -> Iterator[Span]:
    for resource in doc.get("resourceSpans") or []:
        attributes = (resource.get("resource") or {}).get("attributes") or []
        service = next(
            (
                str((a.get("value") or {}).get("stringValue"))
                for a in attributes
                if a.get("key") == "service.name"
            ),
            "unknown",
        )
        scopes = resource.get("scopeSpans") or resource.get("instrumentationLibrarySpans") or []
        for scope in scopes:
            for span in scope.get("spans") or []:
                parent = span.get("parentSpanId") or None
                yield str(span.get("traceId")), str(span.get("spanId")), parent, service


def _jaeger(trace: dict[str, Any]) -> Iterator[Span]:
    processes = trace.get("processes") or {}
    for span in trace.get("spans") or []:
        process = span.get("process") or processes.get(span.get("processID"), {})
        service = str(process.get("serviceName") or "unknown")
        parent = next(
            (
                r.get("spanID")
                for r in span.get("references") or []
                if r.get("refType") == "CHILD_OF"
            ),
            span.get("parentSpanID") or None,
        )
        yield str(span.get("traceID")), str(span.get("spanID")), parent, service
