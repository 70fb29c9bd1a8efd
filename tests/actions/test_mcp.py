"""The ``mcp`` action driver against the real (hostile) FastMCP server of the connector tests, over
stdio: a dry run calls nothing, a tool outside the connector's ``writes`` is refused, and a
runbook step ``action: mcp`` calls its tool exactly once, only after the policy allows it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.actions.mcp import McpDriver
from nightowl.app import Nightowl
from nightowl.domain import ActionStatus, Incident, Verdict
from nightowl.errors import ActionError
from nightowl.settings import PluginConfig, Settings
from tests.actions.conftest import action
from tests.approvals.flow import auth, page, pending_request, settings_for
from tests.connectors.test_mcp import HOSTILE


def hostile(calls: Path) -> dict[str, Any]:
    """The hostile server as a ``kind: mcp`` connector whose only tool is a marked write."""
    return {
        "name": "hostile",
        "kind": "mcp",
        "command": [sys.executable, str(HOSTILE)],
        "env": {"HOSTILE_CALLS": str(calls)},
        "tools": ["scale_to_zero"],
        "writes": ["scale_to_zero"],
    }


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    """The file the hostile server appends every call it receives to."""
    path = tmp_path / "calls.txt"
    path.touch()
    return path


def driver(tmp_path: Path, calls: Path) -> McpDriver:
    settings = Settings.model_validate({"data_dir": str(tmp_path), "connectors": [hostile(calls)]})
    return McpDriver.from_plugin(PluginConfig(name="mcp", kind="mcp"), settings)


def scale(tool: str = "scale_to_zero", arguments: str | None = None) -> Any:
    given = arguments if arguments is not None else json.dumps({"service": "checkout"})
    return action("mcp", connector="hostile", tool=tool, arguments=given)


def test_a_dry_run_calls_nothing_and_says_what_it_would_call(tmp_path: Path, calls: Path) -> None:
    mcp = driver(tmp_path, calls)
    done = asyncio.run(mcp.apply(scale(), dry_run=True))
    assert done.status is ActionStatus.DRY_RUN
    assert 'call MCP tool scale_to_zero of connector hostile with {"service": "checkout"}' in (
        done.message
    )
    assert calls.read_text() == ""


def test_a_write_is_called_once_per_key(tmp_path: Path, calls: Path) -> None:
    mcp = driver(tmp_path, calls)
    first = asyncio.run(mcp.apply(scale(), dry_run=False))
    again = asyncio.run(mcp.apply(scale(), dry_run=False))
    assert first.status is ActionStatus.SUCCEEDED
    assert first.post_state.flat() == {"answer": "scaled"}
    assert again.message == f"already applied: {first.message}"
    assert calls.read_text().split() == ["scale_to_zero"]
    undone = asyncio.run(mcp.rollback(first))
    assert "cannot be undone" in undone.message
    assert calls.read_text().split() == ["scale_to_zero"]


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (scale("restart_all_pods"), "'restart_all_pods' is not in writes of connector 'hostile'"),
        (action("mcp", connector="nope", tool="scale_to_zero"), "no kind: mcp connector 'nope'"),
        (scale(arguments="[1]"), "params.arguments must be a JSON object"),
    ],
)
def test_a_call_it_may_not_make_is_refused(
    tmp_path: Path, calls: Path, act: Any, message: str
) -> None:
    mcp = driver(tmp_path, calls)
    with pytest.raises(ActionError, match=message):
        mcp.plan(act)
    with pytest.raises(ActionError, match=message):
        asyncio.run(mcp.apply(act, dry_run=False))
    assert calls.read_text() == ""


def runbook(tmp_path: Path) -> Path:
    """A runbook for the scenario's fault (a bad deploy) whose one step is the MCP write."""
    directory = tmp_path / "runbooks"
    directory.mkdir()
    (directory / "mcp.yaml").write_text(
        "name: rollback-bad-deploy\ndescription: scale through MCP\n"
        "trigger: {fault_kinds: [bad_deploy]}\nsteps:\n  - action: mcp\n"
        '    params: {connector: hostile, tool: scale_to_zero, arguments: \'{"service": "x"}\'}\n'
        "    risk: low\nrollback: none\n"
    )
    return directory


def incident_with(
    tmp_path: Path, calls: Path, autonomy: str, dry_run: bool, during: Any = None
) -> tuple[Incident, list[Any]]:
    """A whole incident of the bad-deploy scenario whose runbook is the MCP write, and its audit."""
    settings = settings_for(
        tmp_path,
        runbooks={"paths": [str(runbook(tmp_path))]},
        policy={"autonomy": autonomy},
        actions={"dry_run": dry_run, "drivers": [{"name": "mcp", "kind": "mcp"}]},
    )
    settings = settings.model_copy(
        update={"connectors": [*settings.connectors, PluginConfig.model_validate(hostile(calls))]}
    )
    app = Nightowl(settings)
    app.launch()
    try:
        incident = page(app, during=during)
        return incident, list(app.audit.records(incident_id=incident.id))
    finally:
        app.shutdown()


@pytest.mark.parametrize(
    ("autonomy", "dry_run", "verdict", "called", "statuses"),
    [
        # the write does not fix the replayed fault: verify rolls back, which calls nothing
        ("act", False, Verdict.ALLOW, ["scale_to_zero"], [ActionStatus.ROLLED_BACK]),
        ("act", True, Verdict.ALLOW, [], [ActionStatus.DRY_RUN]),
        ("observe", False, Verdict.DENY, [], []),
    ],
)
def test_a_runbook_step_reaches_the_tool_only_through_the_gate(
    tmp_path: Path,
    calls: Path,
    autonomy: str,
    dry_run: bool,
    verdict: Verdict,
    called: list[str],
    statuses: list[ActionStatus],
) -> None:
    incident, audit = incident_with(tmp_path, calls, autonomy, dry_run)
    [decision] = incident.decisions
    assert (decision.action_kind, decision.verdict) == ("mcp", verdict), decision.reasons
    assert any(r.kind == "decision" for r in audit)
    assert calls.read_text().split() == called
    assert [a.status for a in incident.actions] == statuses
    assert all(a.driver == "mcp" for a in incident.actions)


def test_a_write_waits_for_its_approval(tmp_path: Path, calls: Path) -> None:
    """Under ``suggest`` the tool is called only once a human approved it."""

    async def approve(client: httpx.AsyncClient, incident_id: str) -> None:
        request = await pending_request(client, incident_id)
        assert request["plan"].startswith("dry run: would call MCP tool scale_to_zero"), request[
            "plan"
        ]
        assert calls.read_text() == ""
        ok = await client.post(f"/api/v1/approvals/{request['id']}/approve", headers=auth("alice"))
        assert ok.status_code == 200, ok.text

    incident, _ = incident_with(tmp_path, calls, "suggest", False, during=approve)
    assert calls.read_text().split() == ["scale_to_zero"]
    assert [a.driver for a in incident.actions] == ["mcp"]
