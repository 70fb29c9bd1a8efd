"""Every LLM call of an incident is a span of its trace, named and described as the
OpenTelemetry GenAI conventions say (model, tokens), with nightowl's cost, role and the tools the
model asked for; recorded by the SDK's in-memory exporter against the scripted OpenAI-compatible
server."""

from __future__ import annotations

from pathlib import Path

from nightowl_lab.harness.llm_server import ScriptedLLM
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from nightowl import telemetry
from nightowl.settings import TracingSettings
from tests.agent import pipeline


def test_each_llm_call_is_a_genai_span_of_the_incidents_trace(tmp_path: Path) -> None:
    scenario = pipeline.scenario_with(tmp_path)
    exporter = InMemorySpanExporter()
    telemetry.install(TracingSettings(), exporter=exporter)
    try:
        with ScriptedLLM() as server:
            settings = pipeline.settings(tmp_path / "data", scenario, server.base_url)
            incident, llm = pipeline.run(settings, scenario)
    finally:
        telemetry.shutdown()

    finished = exporter.get_finished_spans()
    chats = [s for s in finished if s.name == "chat scripted"]
    calls = llm.calls(incident.id)
    assert len(chats) == len(calls) == len(server.requests)
    assert {s.context.trace_id for s in finished if s.context} == {
        chats[0].context.trace_id if chats[0].context else 0
    }
    for span, call in zip(sorted(chats, key=lambda s: s.start_time or 0), calls, strict=True):
        got = dict(span.attributes or {})
        assert got["gen_ai.operation.name"] == "chat"
        assert got["gen_ai.request.model"] == "scripted"
        assert got["gen_ai.usage.input_tokens"] == call.input_tokens
        assert got["gen_ai.usage.output_tokens"] == call.output_tokens
        assert got["nightowl.llm.cost_usd"] == call.cost_usd
        assert got["nightowl.llm.role"] == call.role
        assert got["nightowl.incident.id"] == incident.id
    assert any(dict(s.attributes or {}).get("nightowl.llm.tool_calls") for s in chats)
