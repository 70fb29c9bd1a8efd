"""The MCP tools over a real, launched nightowl (store, DBOS workflow, the replay connector), driven
in-process by the SDK's client: reads through the configured connectors within their budgets,
answers redacted, and the caller's role asked for every call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.domain import ActionSpec, ApprovalRequest, ApprovalStatus, Incident, Risk
from nightowl.mcpserver.server import build
from nightowl.settings import Role
from tests.approvals.flow import USERS, page, settings_for

SECRET = USERS["root"]


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nightowl, Incident]]:
    """An incident whose alert carries a secret in an annotation (observe: nothing is planned)."""
    tmp = tmp_path_factory.mktemp("tools")
    app = Nightowl(settings_for(Path(tmp), policy={"autonomy": "observe"}, mcp={"max_rows": 5}))
    body = alertmanager_payload(load_scenario(bundled_scenario("checkout-bad-deploy")))
    body["alerts"][0]["annotations"]["runbook"] = f"curl -H 'Authorization: Bearer {SECRET}' …"
    app.launch()
    try:
        yield app, page(app, payload=body)
    finally:
        app.shutdown()


def calls(
    app: Nightowl, role: Role, *steps: tuple[str, dict[str, Any]], name: str = "tester"
) -> list[tuple[bool, str]]:
    async def main() -> list[tuple[bool, str]]:
        out = []
        server = build(app, local=Principal(name, role, "cli"))
        async with Client(server) as client:
            for tool, arguments in steps:
                result = await client.call_tool(tool, arguments)
                text = "".join(getattr(c, "text", "") for c in result.content)
                out.append((result.is_error, text))
        return out

    return asyncio.run(main())


def test_answers_are_redacted(paged: tuple[Nightowl, Incident]) -> None:
    app, incident = paged
    assert any(SECRET in a.annotations.get("runbook", "") for a in incident.alerts)
    [(failed, text)] = calls(app, Role.VIEWER, ("get_incident", {"incident_id": incident.id}))
    assert not failed
    assert SECRET not in text
    assert json.loads(text)["id"] == incident.id


def test_metrics_and_logs_come_through_the_configured_connectors_within_budgets(
    paged: tuple[Nightowl, Incident],
) -> None:
    app, _ = paged
    metrics, logs, wide, unknown = calls(
        app,
        Role.VIEWER,
        ("query_metrics", {"query": "error_rate", "minutes": 30, "step_seconds": 1}),
        ("search_logs", {"service": "checkout", "minutes": 60}),
        ("query_metrics", {"query": "error_rate", "minutes": 100_000}),
        ("search_logs", {"source": "nope"}),
    )
    assert not metrics[0], metrics[1]
    answer = json.loads(metrics[1])
    assert answer["source"] == "scenario"
    assert answer["series"]
    assert all(len(s["points"]) <= 5 for s in answer["series"])  # mcp.max_rows
    assert not logs[0], logs[1]
    found = json.loads(logs[1])
    assert 0 < len(found["records"]) <= 5
    assert found["cut"] is True
    assert wide[0]
    assert "mcp.max_range_minutes" in wide[1]
    assert unknown[0]
    assert "no logs connector 'nope'; known: scenario" in unknown[1]


def test_bad_answers_are_one_clear_line(
    paged: tuple[Nightowl, Incident],
) -> None:
    app, _ = paged
    [(failed, text)] = calls(app, Role.VIEWER, ("deny", {"request_id": "apr-none", "reason": ""}))
    assert failed
    assert "a denial needs a reason" in text
    [(failed, text)] = calls(
        app, Role.APPROVER, ("approve", {"request_id": "apr-none", "reason": "go"})
    )
    assert failed
    assert "no approval request 'apr-none'" in text


def test_the_report_resource_is_the_reports_markdown(paged: tuple[Nightowl, Incident]) -> None:
    app, incident = paged
    assert incident.report is not None

    async def main() -> str:
        server = build(app, local=Principal("tester", Role.VIEWER, "cli"))
        async with Client(server) as client:
            read = await client.read_resource(f"nightowl://reports/{incident.id}")
            return str(getattr(read.contents[0], "text", ""))

    text = asyncio.run(main())
    assert text.startswith(incident.report.markdown[:40])
    assert SECRET not in text


def test_an_approver_of_the_service_denies_with_a_reason_and_it_is_audited(
    paged: tuple[Nightowl, Incident],
) -> None:
    """``deny`` takes the approver role *and* an approver of the service (alice for checkout;
    mallory holds the role but not the service): the same path as the API, on the audit trail."""
    app, incident = paged
    now = app.wall.now()
    action = ActionSpec(kind="rollback", service="checkout", runbook="rollback", risk=Risk.LOW,
                        reason="bad deploy", rollback="redeploy", idempotency_key="mcp-deny-1")  # fmt: skip
    request = ApprovalRequest(
        id="apr-mcp-deny", incident_id=incident.id, service="checkout", action=action,
        plan="roll back checkout", rollback="redeploy", diagnosis="bad deploy", requested_at=now,
        expires_at=now + timedelta(hours=1),
    )  # fmt: skip
    app.approvals.open(request)
    [(refused, why)] = calls(app, Role.APPROVER, ("deny", {"request_id": request.id,
                                                           "reason": "no"}), name="mallory")  # fmt: skip
    assert refused, why
    assert app.approvals.get(request.id).status is ApprovalStatus.PENDING
    [(failed, text)] = calls(app, Role.APPROVER, ("deny", {"request_id": request.id,
                                                          "reason": "mid-migration"}), name="alice")  # fmt: skip
    assert not failed, text
    denied = json.loads(text)
    assert (denied["status"], denied["decided_by"], denied["reason"]) == (
        "denied", "alice", "mid-migration"
    )  # fmt: skip
    trail = [(r.kind, r.actor) for r in app.records.audit_records(incident_id=incident.id)]
    assert ("approval.denied", "alice") in trail
    assert ("approval.refused", "mallory") in trail
