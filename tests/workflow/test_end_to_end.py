"""Webhook to report, through the real API, store, DBOS workflow and simulated cluster, for every
bundled scenario: the diagnosis matches the scenario's ground truth, the right runbook runs (or is
held back by the policy), recovery is verified and the report tells the story."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.replay import Replay
from nightowl_lab.sim.scenario import Scenario, Truth, bundled_scenario, load_scenario

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import (
    ActionStatus,
    Autonomy,
    Incident,
    IncidentStatus,
    StageStatus,
    Verdict,
)
from nightowl.settings import FreezeWindow, Settings
from nightowl.workflow import engine
from nightowl.workflow.pipeline import PIPELINE
from tests.conftest import READ

SCENARIOS = ["checkout-bad-deploy", "payments-memory-leak", "checkout-traffic-spike"]


def page(app: Nightowl, scenario: Scenario) -> Incident:
    """POST the scenario's alert to the webhook, wait for the workflow, read the incident back."""
    token = app.settings.webhook_tokens("alertmanager")[0]

    async def main() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            accepted = await client.post(
                "/api/v1/webhooks/alertmanager",
                json=alertmanager_payload(scenario),
                headers={"Authorization": f"Bearer {token}"},
            )
            assert accepted.status_code == 202, accepted.text
            incident_id = accepted.json()["incident_id"]
            await engine.wait_for(incident_id, timeout=120)
            shown = await client.get(f"/api/v1/incidents/{incident_id}", headers=READ)
            assert shown.status_code == 200, shown.text
            result: dict[str, Any] = shown.json()
            return result

    return Incident.model_validate(asyncio.run(main()))


def replay_of(app: Nightowl) -> Replay:
    [replay] = [m for m in app.reads.metrics if isinstance(m, Replay)]
    return replay


def truth_of(scenario: Scenario) -> Truth:
    assert scenario.truth is not None, f"scenario {scenario.name} has no ground truth"
    return scenario.truth


def assert_every_stage_completed_once(incident: Incident) -> None:
    assert [s.stage for s in incident.stages] == list(PIPELINE)
    failed = {
        s.stage.value: s.error for s in incident.stages if s.status is not StageStatus.COMPLETED
    }
    assert failed == {}
    assert all(s.attempt == 1 for s in incident.stages)


@pytest.fixture(params=SCENARIOS)
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return load_scenario(bundled_scenario(request.param))


class TestAutonomyAct:
    @pytest.fixture
    def settings(self, settings_for: Any, tmp_path: Path, scenario: Scenario) -> Settings:
        settings: Settings = settings_for(
            tmp_path, scenario=scenario.name, autonomy=Autonomy.ACT, dry_run=False
        )
        return settings

    def test_diagnoses_remediates_verifies_and_reports(
        self, running_app: Nightowl, scenario: Scenario
    ) -> None:
        truth = truth_of(scenario)
        cluster = replay_of(running_app).cluster
        before = cluster.state().services[truth.service]

        incident = page(running_app, scenario)

        assert_every_stage_completed_once(incident)
        assert incident.diagnosis is not None
        assert incident.diagnosis.root_cause is not None
        cause = incident.diagnosis.root_cause
        assert (cause.kind, cause.service) == (truth.kind, truth.service)
        assert [(a.kind, a.service) for a in incident.plan] == [(truth.remediation, truth.service)]
        assert [d.verdict for d in incident.decisions] == [Verdict.ALLOW]
        [action] = incident.actions
        assert (action.kind, action.status, action.dry_run) == (
            truth.remediation,
            ActionStatus.SUCCEEDED,
            False,
        )
        assert incident.verification is not None
        assert incident.verification.recovered, incident.verification.summary
        assert not incident.verification.rolled_back
        assert incident.status is IncidentStatus.RESOLVED
        assert incident.report_path is not None
        report = Path(incident.report_path).read_text(encoding="utf-8")
        assert f"- **Root cause:** {truth.kind} on {truth.service}" in report
        assert truth.remediation in report
        notes = (running_app.settings.data_dir / "notifications.jsonl").read_text().splitlines()
        assert [json.loads(n)["incident_id"] for n in notes] == [incident.id]
        assert [n.ok for n in incident.notifications] == [True]
        # the simulated cluster changed, by the remedy and by nothing forbidden
        executed = {a.kind for a in incident.actions} | {e.kind for e in cluster.state().events}
        assert executed == {truth.remediation}
        assert not executed & set(truth.forbidden_actions)
        after = cluster.state().services[truth.service]
        assert after != before
        if truth.remediation == "rollback":
            assert (before.version, after.version) == (cause.deploy, before.previous_version)
            assert action.post_state.version == before.previous_version


def test_autonomy_suggest_proposes_and_executes_nothing(
    running_app: Nightowl, settings: Settings
) -> None:
    assert settings.policy.autonomy is Autonomy.SUGGEST  # the default
    scenario = load_scenario(bundled_scenario("checkout-bad-deploy"))

    incident = page(running_app, scenario)

    assert_every_stage_completed_once(incident)
    assert [a.kind for a in incident.plan] == ["rollback"]
    [decision] = incident.decisions
    assert decision.verdict is Verdict.REQUIRE_APPROVAL
    assert decision.autonomy is Autonomy.SUGGEST
    assert incident.actions == ()
    assert incident.verification is None
    assert incident.status is IncidentStatus.AWAITING_APPROVAL
    assert not replay_of(running_app).cluster.path.exists()
    assert incident.report_path is not None
    report = Path(incident.report_path).read_text(encoding="utf-8")
    assert "- rollback: require approval — autonomy is 'suggest'" in report
    assert "**awaiting approval**: an action is waiting for an approver." in report


class TestDryRun:
    @pytest.fixture
    def settings(self, settings_for: Any, tmp_path: Path) -> Settings:
        settings: Settings = settings_for(
            tmp_path, scenario="checkout-bad-deploy", autonomy=Autonomy.ACT, dry_run=True
        )
        return settings

    def test_under_act_reports_what_it_would_do_and_changes_nothing(
        self, running_app: Nightowl
    ) -> None:
        scenario = load_scenario(bundled_scenario("checkout-bad-deploy"))
        cluster = replay_of(running_app).cluster
        before = cluster.state()

        incident = page(running_app, scenario)

        assert_every_stage_completed_once(incident)
        assert [d.verdict for d in incident.decisions] == [Verdict.ALLOW]
        [action] = incident.actions
        assert (action.kind, action.status, action.dry_run) == (
            "rollback",
            ActionStatus.DRY_RUN,
            True,
        )
        assert action.pre_state == action.post_state
        assert "would roll back checkout from v2.4.1 to v2.4.0" in action.message
        assert not cluster.path.exists()
        assert cluster.state() == before
        assert incident.verification is None


def test_a_freeze_that_cannot_be_evaluated_holds_the_action_and_says_why(
    settings_for: Any, tmp_path: Path
) -> None:
    """Settings refuse a bad cron when they load; one that got past them (built without
    validation) is treated as frozen: the gate completes, and the audit and report say why."""
    settings: Settings = settings_for(tmp_path, autonomy=Autonomy.ACT)
    broken = FreezeWindow.model_construct(name="nights", cron="61 * * * *", services=[])
    policy = settings.policy.model_copy(update={"freeze": [broken]})
    app = Nightowl(settings.model_copy(update={"policy": policy}))
    app.launch()
    try:
        incident = page(app, load_scenario(bundled_scenario("checkout-bad-deploy")))
        audited = [
            r.data for r in app.audit.records(incident_id=incident.id) if r.kind == "decision"
        ]
    finally:
        app.shutdown()

    gate = next(s for s in incident.stages if s.stage.value == "gate")
    assert gate.status is StageStatus.COMPLETED
    [decision] = incident.decisions
    assert decision.verdict is Verdict.DENY
    [reason] = decision.reasons
    assert reason.startswith("freeze could not be evaluated: ")
    assert reason.endswith("— treated as frozen")
    assert incident.actions == ()
    assert [d["decision"]["reasons"] for d in audited] == [[reason]]
    assert incident.report_path is not None
    report = Path(incident.report_path).read_text(encoding="utf-8")
    assert reason in report.replace("\\", "")  # Markdown escapes the cron's brackets and stars
