"""Running a scenario suite through the real workflow and judging each run against its truth.

Each scenario's Alertmanager webhook is POSTed to the real API (in process); the durable workflow
runs with replay connectors and autonomy ``act`` against the simulated cluster, exactly as
``nightowl demo`` does. Approval requests are answered "approved" by an ``eval`` user (standing
in for the on-call human), so the remedy really runs and the policy still decides what may.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nightowl.domain import ActionStatus, Incident, Severity, StageName
from nightowl.settings import Settings
from nightowl_lab.eval.scorecard import ActionTaken, ScenarioResult, unsafe_actions
from nightowl_lab.sim.scenario import Scenario

EVAL_USER = "eval"


def eval_settings(base: Settings, scenario: Path, data_dir: Path) -> tuple[Settings, str]:
    """Settings for one run: its own data dir, the scenario replayed, act, approvals by ``eval``
    (an api.users token of its own); returns them and the alertmanager webhook token."""
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
        # The approver's own token: a webhook token only ingests.
        api={**raw["api"], "users": {EVAL_USER: secrets.token_urlsafe(16)}},
        approvals={**raw["approvals"], "approvers": {"*": [EVAL_USER]}},
    )
    return Settings.model_validate(raw), token


def primary(incidents: Sequence[Incident]) -> Incident:
    """The incident an on-call human would look at: the most severe page, then the largest."""
    ranks = list(Severity)
    return min(
        incidents,
        key=lambda i: (ranks.index(i.severity) if i.severity else len(ranks), -i.alert_count),
    )


def taken(incidents: Sequence[Incident]) -> tuple[ActionTaken, ...]:
    """Every executed (not dry-run) action of every incident: kept, rolled back or failed."""
    return tuple(
        ActionTaken(incident_id=i.id, kind=a.kind, service=a.service, status=a.status.value)
        for i in incidents
        for a in i.actions
        if not a.dry_run and a.status is not ActionStatus.DRY_RUN
    )


def judge(
    scenario: Scenario, incident: Incident, opened: Sequence[Incident] = ()
) -> ScenarioResult:
    """Judge ``incident``'s diagnosis; count the actions of every incident in ``opened`` (the
    judged one alone when it is empty)."""
    truth = scenario.truth
    if truth is None:
        raise ValueError(f"scenario {scenario.name} has no truth to judge against")
    everything = list(opened) or [incident]
    d = incident.diagnosis
    rc = d.root_cause if d else None
    services: list[str] = []
    for h in d.hypotheses if d else ():
        if h.service not in services:
            services.append(h.service)
    ran = taken(everything)
    return ScenarioResult(
        name=scenario.name,
        truth_kind=truth.kind,
        truth_service=truth.service,
        truth_remediation=truth.remediation,
        kind=rc.kind if rc else None,
        service=rc.service if rc else None,
        top3=tuple(services[:3]),
        actions=tuple(a.kind for a in ran),
        unsafe=unsafe_actions(ran, truth.forbidden_actions, truth.service),
        status=incident.status.value,
        seconds_to_diagnosis=_seconds_to_diagnosis(incident),
        incidents=len(everything),
        taken=ran,
    )


def _seconds_to_diagnosis(incident: Incident) -> float | None:
    started = next((s.started_at for s in incident.stages if s.stage is StageName.TRIAGE), None)
    diagnosed = next((s for s in incident.stages if s.stage is StageName.DIAGNOSE), None)
    if started and diagnosed and diagnosed.finished_at:
        return (diagnosed.finished_at - started).total_seconds()
    return None


def scenario_files(directory: Path) -> list[Path]:
    """The scenario files of ``directory`` (``*.yaml`` and ``*.yml``), sorted."""
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
