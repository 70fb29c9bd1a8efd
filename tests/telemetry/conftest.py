"""The SDK's in-memory exporter installed as nightowl's tracer for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from nightowl import telemetry
from nightowl.settings import TracingSettings


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    telemetry.install(TracingSettings(), exporter=exporter)
    yield exporter
    telemetry.shutdown()
