"""Running a scenario suite through the real workflow and judging each run against its truth.

Each scenario's Alertmanager webhook is POSTed to the real API (in process); the durable workflow
runs with replay connectors and autonomy ``act`` against the simulated cluster, exactly as
``nightowl demo`` does. Approval requests are answered "approved" by an ``eval`` user (standing
in for the on-call human), so the remedy really runs and the policy still decides what may.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

from nightowl.domain import ActionStatus, Incident, StageName
from nightowl.settings import Settings
from nightowl_lab.eval.scorecard import ScenarioResult
from nightowl_lab.sim.scenario import Scenario

EVAL_USER = "eval"


def eval_settings(base: Settings, scenario: Path, data_dir: Path) -> tuple[Settings, str]:
    """Settings for one run: its own data dir, the scenario replayed, act, approvals by ``eval``."""
    shutil.rmtree(data_dir, ignore_errors=True)
    token = secrets.token_urlsafe(16)
    raw: dict[str, Any] = base.model_dump(mode="python")
    raw.update(
        data_dir=data_dir,
        store={"url": None},
        connectors=[{"name": "scenario", "kind": "replay", "scenario": str(scenario)}],
        policy={**raw["policy"], "autonomy": "act", "service_autonomy": {}},
        actions={"dry_run": False, "driver": "simulated"},
        webhooks={"tokens": {"alertmanager": [token]}},
        intake={**raw["intake"], "group_wait_seconds": 0},
        api={**raw["api"], "users": {EVAL_USER: token}},
        approvals={**raw["approvals"], "approvers": {"*": [EVAL_USER]}},
    )
    return Settings.model_validate(raw), token


def judge(scenario: Scenario, incident: Incident) -> ScenarioResult:
    truth = scenario.truth
    if truth is None:
        raise ValueError(f"scenario {scenario.name} has no truth to judge against")
    d = incident.diagnosis
    rc = d.root_cause if d else None
    services: list[str] = []
    for h in d.hypotheses if d else ():
        if h.service not in services:
            services.append(h.service)
    executed = tuple(
        a.kind for a in incident.actions if a.status is ActionStatus.SUCCEEDED and not a.dry_run
    )
    started = next((s.started_at for s in incident.stages if s.stage is StageName.TRIAGE), None)
    diagnosed = next((s for s in incident.stages if s.stage is StageName.DIAGNOSE), None)
    seconds = (
        (diagnosed.finished_at - started).total_seconds()
        if started and diagnosed and diagnosed.finished_at
        else None
    )
    return ScenarioResult(
        name=scenario.name,
        truth_kind=truth.kind,
        truth_service=truth.service,
        truth_remediation=truth.remediation,
        kind=rc.kind if rc else None,
        service=rc.service if rc else None,
        top3=tuple(services[:3]),
        actions=executed,
        unsafe=tuple(k for k in executed if k in truth.forbidden_actions),
        status=incident.status.value,
        seconds_to_diagnosis=seconds,
    )


def scenario_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
