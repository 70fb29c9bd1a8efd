"""The knowledge graph kept current by the pipeline itself: a webhook runs the whole workflow
(real API, store, DBOS, simulated cluster) and the graph then holds the incident, the service it
affected, the runbook it used, the action it ran with its outcome and the gate's decision; the
report names who owns the service and who changed it; the approval of a person is recorded with
who and why."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.app import Nightowl
from nightowl.domain import ActionSpec, ApprovalRequest, ApprovalStatus, Autonomy, Risk
from nightowl.domain.graph import EdgeKind, EntityKind, Node
from nightowl.graph.knowledge import Knowledge
from nightowl.settings import Settings
from nightowl.settings.people import GraphSettings
from nightowl.store import create_engine_for, migrate
from nightowl.store.graph import GraphStore
from tests.store.samples import T0
from tests.workflow.test_end_to_end import page

SCENARIO = "checkout-bad-deploy"


@pytest.fixture
def settings(settings_for: Any, tmp_path: Path) -> Settings:
    built: Settings = settings_for(
        tmp_path, scenario=SCENARIO, autonomy=Autonomy.ACT, dry_run=False,
        graph={"owners": {"checkout": ["team:checkout-team"]}, "on_call": {"checkout": ["ana"]}},
    )  # fmt: skip
    return built


def test_the_pipeline_records_the_incident_and_the_report_names_owners_and_changes(
    running_app: Nightowl,
) -> None:
    asyncio.run(running_app.refresh_graph())
    incident = page(running_app, load_scenario(bundled_scenario(SCENARIO)))
    store = running_app.stores.graph
    node = Node(kind=EntityKind.INCIDENT, name=incident.id)
    by_kind = {e.kind: e for e in store.edges(touching=node)}
    assert by_kind[EdgeKind.AFFECTED].object.name == "checkout"
    assert by_kind[EdgeKind.USED].object.kind == EntityKind.RUNBOOK
    ran = by_kind[EdgeKind.RAN].object
    assert (ran.attrs["status"], ran.attrs["dry_run"], ran.attrs["recovered"]) == (
        "succeeded", "false", "true"
    )  # fmt: skip
    decided = by_kind[EdgeKind.DECIDED].object
    assert (decided.attrs["verdict"], decided.attrs["by"]) == ("allow", "policy")
    card = running_app.records.service_card("checkout")
    assert [i.id for i in card.incidents] == [incident.id]
    assert card.incidents[0].status == "resolved"
    assert card.changes, "the scenario's deploy was read in by the refresh"
    assert incident.report_path is not None
    report = Path(incident.report_path).read_text(encoding="utf-8")
    assert "## Who owns what, who changed what" in report
    assert "owners: checkout-team (config); on call: ana (config)" in report
    latest = card.changes[0]
    assert f"{latest.author or 'unknown'} deployed {latest.version}" in report


@pytest.fixture
def knowledge(database_url: str) -> Iterator[Knowledge]:
    engine = create_engine_for(database_url)
    migrate(engine)
    yield Knowledge(GraphStore(engine), GraphSettings())
    engine.dispose()


def test_an_answered_approval_is_a_decision_with_who_and_why(knowledge: Knowledge) -> None:
    action = ActionSpec(kind="rollback", service="checkout", runbook="rollback", risk=Risk.LOW,
                        reason="bad deploy", rollback="redeploy", idempotency_key="k1")  # fmt: skip
    request = ApprovalRequest(
        id="apr-1", incident_id="inc-9", service="checkout", action=action, plan="roll back",
        rollback="redeploy", diagnosis="bad deploy", requested_at=T0,
        expires_at=T0 + timedelta(hours=1), status=ApprovalStatus.DENIED, decided_by="ana",
        decided_at=T0 + timedelta(minutes=3), reason="payments is mid-migration",
    )  # fmt: skip
    knowledge.note_approval(request, T0 + timedelta(minutes=3))
    knowledge.note_approval(request.model_copy(update={"decided_by": None}), T0)  # pending: nothing
    (by_ana,) = knowledge.store.edges(touching=Node(kind=EntityKind.PERSON, name="ana"))
    assert by_ana.kind == EdgeKind.DECIDED
    assert by_ana.object.attrs["verdict"] == "denied"
    assert by_ana.object.attrs["why"] == "payments is mid-migration"
    (by_incident,) = knowledge.store.edges(touching=Node(kind=EntityKind.INCIDENT, name="inc-9"))
    assert by_incident.object.name == by_ana.object.name
