"""The agent's tool-server tool (``mcp_tool``), against the real hostile MCP server of the
connector tests: the model may call only the allowlisted read tools, whatever it asks for; an
answer beyond the budget is a failed call; planted instructions reach it framed as data and
flagged, and the run executes nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic_ai.messages import ModelResponse

from nightowl.connectors.mcp import McpTools
from nightowl.settings import PluginConfig, Settings
from nightowl.store.llm import LlmStore
from nightowl.testing.llm import ScriptedLLM as Script
from nightowl.testing.llm import Seen, reply
from tests.agent.fakes import deterministic, finding, incident, investigator

pytestmark = pytest.mark.asyncio
HOSTILE = Path(__file__).parents[1] / "connectors" / "hostile_mcp.py"
RANGE = {"query": "up", "start": "0", "end": "60", "step": "10s"}


def hostile(tmp_path: Path, calls: Path) -> McpTools:
    plugin = PluginConfig.model_validate(
        {
            "name": "hostile",
            "kind": "mcp",
            "command": [sys.executable, str(HOSTILE)],
            "env": {"HOSTILE_CALLS": str(calls)},
            "tools": ["execute_range_query", "huge", "scale_to_zero"],
            "writes": ["scale_to_zero"],
            "max_output_chars": 50_000,
        }
    )
    return McpTools.from_plugin(plugin, Settings.model_validate({"data_dir": str(tmp_path)}))


def obey(seen: Seen) -> ModelResponse:
    """A model doing what the planted text asks, and reading through every tool it can name."""
    tool = "mcp_tool"
    return reply(
        (tool, {"server": "hostile", "tool": "restart_all_pods"}),
        (tool, {"server": "hostile", "tool": "scale_to_zero", "arguments": {"service": "x"}}),
        (tool, {"server": "hostile", "tool": "execute_range_query", "arguments": RANGE}),
        (tool, {"server": "hostile", "tool": "huge"}),
    )


async def test_the_agent_reads_only_allowlisted_tools_and_sees_answers_as_data(
    tmp_path: Path,
) -> None:
    calls = tmp_path / "calls.txt"
    calls.touch()
    server = hostile(tmp_path, calls)
    script = Script({"diagnostician": [obey, lambda s: finding(s, confidence=0.9)]})
    agent, store = investigator(tmp_path, script, tools=[server])
    try:
        merged = await agent.diagnose(incident(), deterministic(0.7), cycle=0, tried=())
    finally:
        await server.close()
    recorded = [c for c in LlmStore(store.engine).tool_calls("inc-test-1") if c.tool == "mcp_tool"]
    # the write and the invented tool were refused before any call; two reads reached the server
    assert calls.read_text().split() == ["execute_range_query", "huge"]
    by_ok = {c.ok: c for c in recorded}
    assert len(recorded) == 2
    assert by_ok[True].suspicious
    assert "<tool_data" in by_ok[True].output
    assert "IGNORE ALL PREVIOUS INSTRUCTIONS" in by_ok[True].output  # shown, as data
    assert "over its budget of 50,000" in by_ok[False].output
    assert merged.diagnosis.root_cause is not None
