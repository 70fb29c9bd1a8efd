"""Issue 25's Done-when, through the real application: an injected unit change in one feature of
a served model becomes an incident (``on_finding: incident``) whose diagnosis names the model,
version and feature and the model deploy that coincides, whose report and incident page draw
both distributions, which is routed to the model's owner, and whose proposed model rollback runs
against a real ``mlflow server`` (started by the tests on loopback) once a human approves it —
dry-run preview, policy, approval and audit first."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
from nightowl_lab.harness.mlflow import MLflowServer

from nightowl.actions.mlflow import MLflowDriver, MLflowDriverConfig
from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.domain import ActionStatus, Incident, IncidentStatus
from nightowl.report.html import render_html
from nightowl.report.markdown import render
from nightowl.settings import Role
from nightowl.ui import install
from nightowl.ui.passwords import pbkdf2_hash
from nightowl.workflow import engine
from tests.conftest import make_settings
from tests.mlops.windows import window, write

ROOT = Principal("root", Role.ADMIN, "cli")
PASSWORD = "root-looks-at-drift"
MODEL = "churn-incident"
HTML = {"Accept": "text/html"}


def settings_for(tmp_path: Path, url: str) -> Any:
    current = window(2)
    current["height_cm"] = [round(v / 2.54, 2) for v in current["height_cm"]]  # type: ignore[operator]
    options = {
        "model": MODEL,
        "reference": str(write(tmp_path / "ref.csv", window(1))),
        "current": str(write(tmp_path / "cur.csv", current)),
        "registry": {"url": url},
        "owner": "ml-team",
    }
    watcher = {
        "name": "churn-drift",
        "kind": "model_drift",
        "on_finding": "incident",
        "service": "churn-api",
        "options": options,
    }
    files = {n: str(tmp_path / f"{n}.jsonl") for n in ("ml", "ops")}
    notify = {
        "notifiers": [{"name": n, "kind": "file", "path": p} for n, p in files.items()],
        "routes": [{"match": {"owner": ["ml-team"]}, "notifiers": ["ml"]}],
        "default": ["ops"],
    }
    actions = {
        "dry_run": False,
        "drivers": [{"name": "registry", "kind": "mlflow", "url": url}],
        "routes": {"churn-api": "registry"},
    }
    return make_settings(
        tmp_path,
        connectors=[],
        watchers=[watcher],
        notify=notify,
        actions=actions,
        approvals={"approvers": {"*": ["root"]}},
        ui={
            "users": {"root": {"password_hash": pbkdf2_hash(PASSWORD, 1000), "role": "admin"}},
            "session_secret": "drift-test-session-secret",
        },
    )


async def until(read: Any, what: str, timeout: float = 90.0) -> Any:
    """``read()``'s first truthy answer, polled (the workflow runs on its own)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if got := await asyncio.to_thread(read):
            return got
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_unit_change_becomes_an_incident_whose_rollback_runs_after_approval(
    tmp_path: Path, mlflow_server: MLflowServer
) -> None:
    before = mlflow_server.register(MODEL)
    served = mlflow_server.register(MODEL)  # registered now: a deploy within the drift's window
    mlflow_server.alias(MODEL, "champion", served)
    app = Nightowl(settings_for(tmp_path, mlflow_server.url))
    app.launch()
    try:
        incident = asyncio.run(_page_and_approve(app))
        shown = asyncio.run(_incident_page(app, incident.id))
    finally:
        app.shutdown()
    assert 'id="distributions"' in shown  # the UI's incident page draws both windows
    assert shown.count('aria-label="churn-incident@champion') == 1
    registry = MLflowDriver("r", MLflowDriverConfig(url=mlflow_server.url), tmp_path).registry
    assert asyncio.run(registry.aliases(MODEL)) == {"champion": before}

    assert incident.verification is not None  # not judged on metrics, and not undone
    assert "re-checked by its watcher's next run" in incident.verification.summary
    assert not incident.verification.rolled_back
    assert incident.verification.deferred
    assert incident.status is IncidentStatus.ESCALATED
    assert incident.title.startswith(f"model {MODEL} v{served}: height_cm drifted (unit change)")
    cause = incident.diagnosis.root_cause if incident.diagnosis else None
    assert cause is not None
    assert cause.kind == "model_drift"
    assert cause.service == "churn-api"
    assert f"model {MODEL}@champion version {served}" in cause.summary
    assert "'height_cm' unit change" in cause.summary
    assert "a model deploy coincides" in cause.summary
    assert cause.deploy == str(served)
    report = render(incident)
    assert "Distributions of feature `height_cm`" in report
    assert "| bin | reference | current |" in report
    assert "the remediation was applied; a model's drift is re-checked" in report
    assert "did not bring recovery" not in report
    page = render_html(incident)
    assert page.count('aria-label="churn-incident@champion') == 1
    assert "of the current window" in page
    kinds = [r.kind for r in app.records.audit_records(incident_id=incident.id)]
    assert {"decision", "approval.requested", "approval.approved", "action"} <= set(kinds)
    pages = [json.loads(line) for line in (tmp_path / "ml.jsonl").read_text().splitlines()]
    assert any("approval needed" in p["text"] for p in pages)  # routed to the model's owner
    assert not (tmp_path / "ops.jsonl").exists()


async def _page_and_approve(app: Nightowl) -> Incident:
    done = await app.watching.run("churn-drift")
    (line,) = done.routed
    assert "recorded on" in line  # through intake, as any page
    (summary,) = app.records.incidents()
    incident_id = summary.id
    (request,) = await until(
        lambda: app.records.approvals(incident_id=incident_id), "the approval request"
    )
    assert request.action.kind == "model_rollback"
    assert request.action.params == {"model": MODEL, "alias": "champion"}
    assert request.plan.startswith(f"dry run: would move {MODEL}@champion from version ")
    await app.answer_approval(request.id, by=ROOT, approve=True, reason="unit change upstream")

    await engine.wait_for(incident_id, timeout=90)
    found = app.records.incident(incident_id)
    (done,) = found.actions
    assert (done.kind, done.status, done.dry_run) == (
        "model_rollback",
        ActionStatus.SUCCEEDED,
        False,
    )
    return found


async def _incident_page(app: Nightowl, incident_id: str) -> str:
    """The UI's incident page, logged in through the form as root."""
    api = create_api(app)
    install(api, app)
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
        form = await client.get("/ui/login", headers=HTML)
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf, form.text
        data = {"username": "root", "password": PASSWORD, "csrf": csrf.group(1), "next": "/ui"}
        assert (await client.post("/ui/login", data=data)).status_code == 303
        page = await client.get(f"/ui/incidents/{incident_id}", headers=HTML)
        assert page.status_code == 200, page.text
        return page.text
