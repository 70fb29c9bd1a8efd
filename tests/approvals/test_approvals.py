"""Approvals through the real workflow: a durable wait with an expiry; approve or deny by API and
CLI; only listed approvers may answer; an unanswered request escalates and nothing runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from nightowl.app import Nightowl
from nightowl.cli.main import app as cli
from nightowl.domain import ActionStatus, IncidentStatus, Verdict
from nightowl.settings import Settings
from tests.approvals.flow import USERS, auth, page, pending_request, settings_for


@pytest.fixture
def launched(settings: Settings) -> Iterator[Nightowl]:
    app = Nightowl(settings)
    app.launch()
    try:
        yield app
    finally:
        app.shutdown()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path, policy={"autonomy": "suggest"})


def test_approved_by_api_then_executed_verified_and_audited(launched: Nightowl) -> None:
    seen: dict[str, object] = {}

    async def approve(client: httpx.AsyncClient, incident_id: str) -> None:
        request = await pending_request(client, incident_id)
        seen["request"] = request
        assert request["action"]["kind"] == "rollback"
        assert request["rollback"]
        assert request["evidence"]
        assert request["plan"].startswith("dry run: would roll back")
        refused = await client.post(
            f"/api/v1/approvals/{request['id']}/approve", headers=auth("mallory")
        )
        assert refused.status_code == 403
        anonymous = await client.post(f"/api/v1/approvals/{request['id']}/approve")
        assert anonymous.status_code == 401
        ok = await client.post(
            f"/api/v1/approvals/{request['id']}/approve",
            json={"reason": "go"},
            headers=auth("alice"),
        )
        assert ok.status_code == 200, ok.text
        assert (ok.json()["status"], ok.json()["decided_by"]) == ("approved", "alice")
        again = await client.post(
            f"/api/v1/approvals/{request['id']}/approve", headers=auth("alice")
        )
        assert again.status_code == 409

    incident = page(launched, approve)

    [decision] = incident.decisions
    assert decision.verdict is Verdict.ALLOW
    assert "approved by alice: go" in decision.reasons
    assert [(a.kind, a.status) for a in incident.actions] == [("rollback", ActionStatus.SUCCEEDED)]
    assert incident.status is IncidentStatus.RESOLVED
    kinds = [r.kind for r in launched.audit.records(incident_id=incident.id)]
    assert {
        "decision",
        "approval.requested",
        "approval.refused",
        "approval.approved",
        "action",
        "verification",
    } <= set(kinds)
    refused = next(r for r in launched.audit.records() if r.kind == "approval.refused")
    assert refused.actor == "mallory"
    assert launched.audit.verify().ok


def test_denied_from_the_cli_runs_nothing(
    launched: Nightowl, settings: Settings, tmp_path: Path
) -> None:
    """The CLI acts as NIGHTOWL_TOKEN's holder, else the OS user: no free-typed identity."""
    config = tmp_path / "nightowl.yaml"
    # (a dump masks secrets: the tokens are written as they are)
    dumped = settings.model_dump(mode="json", exclude={"api"}) | {"api": {"users": USERS}}
    config.write_text(json.dumps(dumped))
    as_mallory = {"NIGHTOWL_TOKEN": USERS["mallory"], "COLUMNS": "400"}
    as_alice = {"NIGHTOWL_TOKEN": None, "LOGNAME": "alice", "USER": "alice"}  # getpass.getuser()

    async def deny(client: httpx.AsyncClient, incident_id: str) -> None:
        request = await pending_request(client, incident_id)
        runner = CliRunner()
        listed = runner.invoke(cli, ["approvals", "list", "--json", "--config", str(config)])
        assert request["id"] in listed.output
        argv = ["deny", request["id"], "--reason", "not now", "--config", str(config)]
        refused = await asyncio.to_thread(runner.invoke, cli, argv, env=as_mallory)
        assert refused.exit_code == 1
        assert "mallory (responder) may not answer approval requests" in refused.output
        forged = await asyncio.to_thread(runner.invoke, cli, [*argv, "--as", "alice"])
        assert forged.exit_code == 2  # no such option any more
        denied = await asyncio.to_thread(runner.invoke, cli, argv, env=as_alice)
        assert denied.exit_code == 0, denied.output

    incident = page(launched, deny)

    [decision] = incident.decisions
    assert decision.verdict is Verdict.DENY
    assert "denied by alice: not now" in decision.reasons
    assert incident.actions == ()


class TestExpiry:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return settings_for(
            tmp_path,
            policy={"autonomy": "suggest"},
            approvals={"approvers": {"checkout": ["alice"]}, "timeout_seconds": 1},
        )

    def test_an_unanswered_request_expires_escalates_and_pages(self, launched: Nightowl) -> None:
        incident = page(launched)

        [decision] = incident.decisions
        assert decision.verdict is Verdict.DENY
        assert any("expired" in r for r in decision.reasons)
        assert incident.actions == ()
        assert incident.status is IncidentStatus.ESCALATED
        pages = (launched.settings.data_dir / "notifications.jsonl").read_text()
        assert "approval needed" in pages
        assert "approval expired" in pages


def test_without_approvers_a_suggestion_stays_a_proposal(tmp_path: Path) -> None:
    app = Nightowl(
        settings_for(tmp_path, policy={"autonomy": "suggest"}, approvals={"approvers": {}})
    )
    app.launch()
    try:
        incident = page(app)
    finally:
        app.shutdown()
    approve = next(s for s in incident.stages if s.stage.value == "approve")
    assert "no approver is configured for checkout" in approve.summary
    assert incident.status is IncidentStatus.AWAITING_APPROVAL
    assert incident.actions == ()
