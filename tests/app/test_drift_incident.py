"""Issue 25's Done-when, through the real application: an injected unit change in one feature of
a served model becomes an incident (``on_finding: incident``) whose diagnosis names the model,
version and feature and the model deploy that coincides, whose report and incident page draw
both distributions, which is routed to the model's owner, and whose proposed model rollback runs
against a real ``mlflow server`` (started by the tests on loopback) once a human approves it —
dry-run preview, policy, approval and audit first."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from nightowl_lab.harness.mlflow import MLflowServer

from nightowl.actions.mlflow import MLflowDriver, MLflowDriverConfig
from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.domain import ActionStatus, Incident
from nightowl.report.html import render_html
from nightowl.report.markdown import render
from nightowl.settings import Role
from tests.conftest import make_settings
from tests.mlops.windows import window, write

ROOT = Principal("root", Role.ADMIN, "cli")
MODEL = "churn-incident"


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
    finally:
        app.shutdown()
    registry = MLflowDriver("r", MLflowDriverConfig(url=mlflow_server.url), tmp_path).registry
    assert asyncio.run(registry.aliases(MODEL)) == {"champion": before}

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
    assert request.plan == f"dry run: would move {MODEL}@champion from version 2 to 1"
    await app.answer_approval(request.id, by=ROOT, approve=True, reason="unit change upstream")

    def rolled_back() -> Incident | None:
        found = app.records.incident(incident_id)
        done = [a for a in found.actions if a.status is ActionStatus.SUCCEEDED]
        return found if done and not done[0].dry_run else None

    return await until(rolled_back, "the rollback")  # type: ignore[no-any-return]
