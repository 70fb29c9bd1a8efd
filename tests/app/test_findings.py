"""What a new finding becomes, through the real application: an incident through intake, a page
through the notifiers, or its proposed pull request through the gate, the approvals, the GitHub
driver (against GitHub's documented REST answers, httpx.MockTransport: no GitHub server can run
here; the fake is the driver tests' own) and the audit trail."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.actions.github import GitHubPullRequestDriver
from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.app.findings import ANCHOR, at_least, describe
from nightowl.domain import IncidentStatus, Severity
from nightowl.domain.findings import Finding
from nightowl.domain.units import money
from nightowl.registry import WATCHERS
from nightowl.settings import Role
from nightowl.testing.watcher import FAKE_KIND
from tests.actions.test_github import FakeGitHub
from tests.conftest import make_settings

ACTION = {
    "kind": "pull_request",
    "service": "",
    "params": {"path": "infra/lb.tf", "content": "port = 8443\n", "title": "drift: adopt"},
    "runbook": "",
    "risk": "low",
    "reason": "adopt the hand-made change",
    "rollback": "close the pull request",
    "idempotency_key": "drift-lb-1",
}
FOUND = {
    "kind": "drift",
    "resource": "aws_lb_listener_rule.web",
    "title": "listener rule changed by hand",
    "severity": "high",
    "service": "web",
    "evidence": {"attribute": "port", "code": 443, "real": 8443},
    "monthly_cost_delta": -35.5,
    "proposed": {"summary": "adopt port 8443", "diff": "-443\n+8443", "action": ACTION},
}
GITHUB = {"name": "iac", "kind": "github", "repo": "acme/infra", "token": "t", "paths": ["infra/"]}
ROOT = Principal("root", Role.ADMIN, "cli")


@pytest.fixture(autouse=True)
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(WATCHERS.builtins, "fake", FAKE_KIND)


def launched(tmp_path: Path, on_finding: str, **sections: Any) -> tuple[Nightowl, FakeGitHub]:
    watcher = {"name": "drift", "kind": "fake", "on_finding": on_finding, "service": "infra"}
    watcher["options"] = {"findings": [FOUND]}
    notify = {"notifiers": [{"name": "log", "kind": "file", "path": str(tmp_path / "n.jsonl")}]}
    actions = {"dry_run": False, "drivers": [GITHUB], "routes": {"infra": "iac"}}
    settings = make_settings(
        tmp_path, watchers=[watcher], notify=notify, actions=actions, **sections
    )
    app = Nightowl(settings)
    github = FakeGitHub()
    for driver in app._raw_drivers:
        if isinstance(driver, GitHubPullRequestDriver):
            driver.transport = httpx.MockTransport(github)
    app.launch()
    return app, github


@pytest.fixture
def apps() -> Iterator[list[Nightowl]]:
    started: list[Nightowl] = []
    yield started
    for app in started:
        app.shutdown()


def pages(tmp_path: Path) -> list[dict[str, Any]]:
    lines = (tmp_path / "n.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_an_allowed_pull_request_is_opened_and_audited(
    tmp_path: Path, apps: list[Nightowl]
) -> None:
    app, github = launched(tmp_path, "pull_request", policy={"autonomy": "act"})
    apps.append(app)
    done = asyncio.run(app.watching.run("drift"))
    (line,) = done.routed
    assert "opened pull request #1" in line
    assert github.files[("infra/lb.tf", "nightowl/drift-lb-1")] == b"port = 8443\n"
    incident = app.records.incident(ANCHOR + done.findings[0].fingerprint)
    assert [a.idempotency_key for a in incident.actions] == ["drift-lb-1"]
    kinds = [r.kind for r in app.records.audit_records()]
    assert "finding.proposed" in kinds
    assert "action" in kinds
    assert "watch.run" in kinds
    again = asyncio.run(app.watching.run("drift"))  # seen again: open, not routed twice
    assert again.routed == ()
    assert len(github.pulls) == 1


def test_a_pull_request_the_policy_sends_to_a_human_waits_for_the_approval(
    tmp_path: Path, apps: list[Nightowl]
) -> None:
    approvals = {"approvers": {"*": ["root"]}}
    app, github = launched(tmp_path, "pull_request", approvals=approvals)  # autonomy: suggest
    apps.append(app)
    (line,) = asyncio.run(app.watching.run("drift")).routed
    assert "requested from root" in line
    assert github.pulls == []
    (request,) = app.records.approvals()
    assert request.action.service == "infra"
    assert request.plan.endswith("(-$35.50/month)")  # the finding's cost, shown to the approver
    assert any("approval needed" in p["text"] for p in pages(tmp_path))
    asyncio.run(app.answer_approval(request.id, by=ROOT, approve=True, reason="reviewed"))
    assert [p["title"] for p in github.pulls] == ["drift: adopt"]


def test_in_dry_run_the_pull_request_is_only_previewed(
    tmp_path: Path, apps: list[Nightowl]
) -> None:
    app, github = launched(tmp_path, "pull_request", policy={"autonomy": "act"})
    apps.append(app)
    app.executor.dry_run = True
    (line,) = asyncio.run(app.watching.run("drift")).routed
    assert line.endswith(
        "open a pull request on acme/infra changing infra/lb.tf (with new content)"
    )
    assert github.pulls == []


def test_notify_pages_the_routed_notifiers(tmp_path: Path, apps: list[Nightowl]) -> None:
    app, _ = launched(tmp_path, "notify")
    apps.append(app)
    (line,) = asyncio.run(app.watching.run("drift")).routed
    assert "notified" in line
    (sent,) = pages(tmp_path)
    assert "high: listener rule changed by hand" in sent["text"]
    assert "proposed: adopt port 8443" in sent["text"]


def test_incident_goes_through_intake_as_an_alert(tmp_path: Path, apps: list[Nightowl]) -> None:
    app, _ = launched(tmp_path, "incident")
    apps.append(app)
    (line,) = asyncio.run(app.watching.run("drift")).routed
    assert "recorded on" in line
    (summary,) = app.records.incidents()
    incident = app.records.incident(summary.id)
    assert incident.alerts[0].labels["watcher"] == "drift"
    assert incident.status is not IncidentStatus.RESOLVED


def test_below_min_severity_only_recorded_and_money_reads_well() -> None:
    assert at_least(Severity.CRITICAL, Severity.HIGH)
    assert not at_least(Severity.WARNING, Severity.HIGH)
    assert (money(412), money(-35.5), money(1234.4)) == ("+$412", "-$35.50", "+$1,234")


def test_a_long_evidence_value_is_cut_in_the_notification() -> None:
    found = Finding(
        watcher="w", kind="model_drift", resource="m/feature:x", title="x moved",
        evidence={"distribution": "[" + "0.1, " * 100 + "]", "feature": "x"},
    )  # fmt: skip
    text = describe(found)
    assert "feature: x" in text
    (line,) = [ln for ln in text.splitlines() if ln.startswith("distribution: ")]
    assert line.endswith("… (502 characters in all)")
    assert len(line) < 260
