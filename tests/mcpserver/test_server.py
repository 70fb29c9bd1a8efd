"""nightowl's own MCP server driven by the SDK's client, for real: over streamable HTTP from a
``nightowl serve`` child process (``/mcp``, behind the API's tokens) and over stdio from ``nightowl
mcp`` child processes, with a viewer's token and an approver's. A viewer reads incidents and gets
policy-checked proposals; only the approver can put a proposal to the approvers and approve, and
every answer and every refusal is on the audit trail; the workflow then acts (a dry run)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
import yaml
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.app.records import Records
from nightowl.settings import load_settings

SCENARIO = "checkout-bad-deploy"
WEBHOOK = "mcp-test-webhook-token"
TOKENS = {"alice": "mcp-tok-alice-5b1e", "victor": "mcp-tok-victor-93c0"}
"""alice is an approver of checkout; victor holds a token with the viewer role."""


@dataclass
class Served:
    config: Path
    url: str
    incident_id: str
    request_id: str


def write_config(tmp: Path) -> Path:
    config = {
        "data_dir": str(tmp / "data"),
        "connectors": [
            {"name": "scenario", "kind": "replay", "scenario": str(bundled_scenario(SCENARIO))}
        ],
        "policy": {"autonomy": "suggest"},
        "actions": {"dry_run": True},
        "webhooks": {"tokens": {"alertmanager": [WEBHOOK]}},
        "intake": {"group_wait_seconds": 0},
        "api": {"users": TOKENS},
        "ui": {"token_role": "viewer"},
        "approvals": {"approvers": {"checkout": ["alice"]}},
    }
    path = tmp / "nightowl.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def pending(url: str, incident_id: str, timeout: float = 90) -> str:
    """The id of the approval request the incident's workflow opens."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {TOKENS['victor']}"}
    while time.monotonic() < deadline:
        got = httpx.get(
            f"{url}/api/v1/approvals",
            params={"incident_id": incident_id},
            headers=headers,
            timeout=30,
        )
        assert got.status_code == 200, got.text
        if got.json():
            request_id: str = got.json()[0]["id"]
            return request_id
        time.sleep(0.2)
    raise AssertionError("the workflow opened no approval request")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``nightowl serve`` with an incident waiting for an approval."""
    config = write_config(tmp_path_factory.mktemp("mcp"))
    with ServerProcess(config) as server:
        body = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
        accepted = httpx.post(
            f"{server.url}/api/v1/webhooks/alertmanager",
            json=body,
            headers={"Authorization": f"Bearer {WEBHOOK}"},
            timeout=90,
        )
        assert accepted.status_code == 202, accepted.text
        incident_id = accepted.json()["incident_id"]
        yield Served(config, server.url, incident_id, pending(server.url, incident_id))


@asynccontextmanager
async def over_http(served: Served, user: str) -> AsyncIterator[Client]:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKENS[user]}"}, timeout=60)
        )
        transport = streamable_http_client(f"{served.url}/mcp/", http_client=http)
        yield await stack.enter_async_context(Client(transport))


@asynccontextmanager
async def over_stdio(served: Served, user: str) -> AsyncIterator[Client]:
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "nightowl.cli", "mcp", "--config", str(served.config)],
        env={"NIGHTOWL_TOKEN": TOKENS[user]},
    )
    async with Client(server, read_timeout_seconds=60) as client:
        yield client


async def call(client: Client, tool: str, **arguments: Any) -> tuple[bool, str]:
    """(whether the tool failed, its text)."""
    result = await client.call_tool(tool, arguments)
    return result.is_error, "".join(getattr(c, "text", "") for c in result.content)


def audit(served: Served, *, everything: bool = False) -> list[tuple[str, str]]:
    records = Records.open(load_settings(config=served.config))
    incident = None if everything else served.incident_id
    try:
        return [(r.kind, r.actor) for r in records.audit_records(incident_id=incident)]
    finally:
        records.close()


def request_status(served: Served) -> str:
    records = Records.open(load_settings(config=served.config))
    try:
        return records.approval(served.request_id).status.value
    finally:
        records.close()


def test_http_without_an_api_token_is_refused(served: Served) -> None:
    probe = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = httpx.post(f"{served.url}/mcp/", json=probe, headers=headers, timeout=10)
        assert answer.status_code == 401
        assert "api.users" in answer.json()["detail"]


def test_a_viewer_reads_incidents_and_gets_a_policy_checked_proposal(served: Served) -> None:
    async def main() -> dict[str, Any]:
        async with over_http(served, "victor") as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            _, listed = await call(client, "list_incidents")
            _, shown = await call(client, "get_incident", incident_id=served.incident_id)
            _, cause = await call(client, "explain_root_cause", incident_id=served.incident_id)
            _, proposal = await call(client, "propose_action", incident_id=served.incident_id)
            _, memory = await call(
                client, "search_similar_incidents", incident_id=served.incident_id
            )
            unknown = await call(client, "search_similar_incidents", incident_id="inc-nope")
            _, card = await call(client, "graph_show", service="checkout")
            _, changed = await call(client, "who_changed", service="checkout", hours=720)
            resource = await client.read_resource(f"nightowl://incidents/{served.incident_id}")
            prompt = await client.get_prompt("investigate_alert", {"alert": "checkout 5xx"})
            return {"tools": tools, "listed": listed, "shown": shown, "cause": cause,
                    "proposal": proposal, "memory": memory, "unknown": unknown, "card": card,
                    "changed": changed, "resource": resource, "prompt": prompt}  # fmt: skip

    got = asyncio.run(main())
    assert {"list_incidents", "propose_action", "approve", "query_metrics"} <= got["tools"]
    assert served.incident_id in [i["id"] for i in json.loads(got["listed"])]
    shown = json.loads(got["shown"])
    assert shown["diagnosis"]["root_cause"]["service"] == "checkout"
    assert shown["evidence"]
    assert (
        json.loads(got["cause"])["root_cause"]["kind"] == shown["diagnosis"]["root_cause"]["kind"]
    )
    proposal = json.loads(got["proposal"])
    assert proposal["dry_run"] is True
    step = proposal["steps"][0]
    assert step["action"]["kind"] == "rollback"
    assert step["decision"]["verdict"] == "require_approval"
    assert step["would_do"].startswith("dry run: would roll back")
    assert isinstance(json.loads(got["memory"]), list)  # the real memory, read-only
    assert got["unknown"][0] is True
    assert "inc-nope" in got["unknown"][1]
    assert json.loads(got["card"])["service"] == "checkout"
    assert isinstance(json.loads(got["changed"]), list)
    assert json.loads(got["resource"].contents[0].text)["id"] == served.incident_id
    assert "checkout 5xx" in got["prompt"].messages[0].content.text
    # a proposal is a dry run: nothing was executed, the request is still pending
    assert request_status(served) == "pending"


def test_a_viewer_cannot_ask_for_or_give_an_approval_over_either_transport(
    served: Served,
) -> None:
    async def main() -> list[tuple[bool, str]]:
        out = []
        async with over_http(served, "victor") as client:
            out.append(await call(client, "approve", request_id=served.request_id))
            out.append(await call(client, "request_approval", incident_id=served.incident_id))
        async with over_stdio(served, "victor") as client:
            out.append(await call(client, "approve", request_id=served.request_id))
            out.append(await call(client, "deny", request_id=served.request_id, reason="no"))
        return out

    for failed, text in asyncio.run(main()):
        assert failed
        assert "victor (viewer) may not" in text
        assert "approver role" in text
    assert request_status(served) == "pending"
    refusals = [actor for kind, actor in audit(served) if kind == "approval.refused"]
    assert refusals.count("victor") == 3  # approve over HTTP, approve and deny over stdio
    assert ("access.refused", "victor") in audit(served, everything=True)  # request_approval


def test_an_approver_over_stdio_reads_the_same_record(served: Served) -> None:
    async def main() -> tuple[bool, str]:
        async with over_stdio(served, "alice") as client:
            return await call(client, "get_incident", incident_id=served.incident_id)

    failed, text = asyncio.run(main())
    assert not failed
    assert json.loads(text)["id"] == served.incident_id


def test_an_approver_asks_then_approves_and_the_workflow_acts(served: Served) -> None:
    async def main() -> tuple[tuple[bool, str], tuple[bool, str]]:
        async with over_http(served, "alice") as client:
            asked = await call(client, "request_approval", incident_id=served.incident_id,
                               note="looks right")  # fmt: skip
            approved = await call(client, "approve", request_id=served.request_id, reason="go")
            return asked, approved

    (asked_failed, asked), (approve_failed, approved) = asyncio.run(main())
    assert not asked_failed, asked
    # the same request the workflow opened (one id per action), not a second one
    assert [r["id"] for r in json.loads(asked)] == [served.request_id]
    assert not approve_failed, approved
    assert (json.loads(approved)["status"], json.loads(approved)["decided_by"]) == (
        "approved",
        "alice",
    )
    trail = audit(served)
    assert ("approval.requested", "alice") in trail
    assert ("approval.approved", "alice") in trail
    headers = {"Authorization": f"Bearer {TOKENS['alice']}"}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        incident = httpx.get(
            f"{served.url}/api/v1/incidents/{served.incident_id}", headers=headers, timeout=30
        ).json()
        if incident["actions"]:
            break
        time.sleep(0.2)
    assert [(a["kind"], a["status"]) for a in incident["actions"]] == [("rollback", "dry_run")]
