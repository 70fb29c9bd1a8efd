"""Proposals on a real incident (API, store, DBOS workflow, simulated cluster): the dry run is the
plan stage's own plan with the gate's verdict, stores and executes nothing; the approval requests
it opens are the workflow's own (same ids), taken only by an approver and audited."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.app.proposals import propose, request_approval
from nightowl.domain import Incident, Verdict
from nightowl.errors import ForbiddenError, InputError, NotFoundError
from nightowl.settings import Role
from tests.approvals.flow import page, settings_for

T = TypeVar("T")


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nightowl, Incident]]:
    """An incident whose workflow ran to its end with the gate asking for approval (suggest),
    the request expired unanswered (the scenario's clock skips the wait)."""
    tmp = tmp_path_factory.mktemp("proposals")
    approvals = {"approvers": {"checkout": ["alice"]}, "timeout_seconds": 1}
    app = Nightowl(settings_for(Path(tmp), policy={"autonomy": "suggest"}, approvals=approvals))
    app.launch()
    try:
        yield app, page(app)
    finally:
        app.shutdown()


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def test_the_dry_run_is_the_plan_stages_plan_with_the_gates_verdict(
    paged: tuple[Nightowl, Incident],
) -> None:
    app, incident = paged
    before = len(list(app.audit.records(incident_id=incident.id)))
    proposal = run(propose(app, incident.id))
    assert [s.action for s in proposal.steps] == list(incident.plan)
    assert proposal.verdict is Verdict.REQUIRE_APPROVAL
    assert proposal.steps[0].would_do.startswith("dry run: would roll back")
    after = app.store.get(incident.id)
    assert (after.actions, after.decisions) == (incident.actions, incident.decisions)
    assert len(list(app.audit.records(incident_id=incident.id))) == before


def test_an_unknown_runbook_names_the_known_ones(paged: tuple[Nightowl, Incident]) -> None:
    app, incident = paged
    with pytest.raises(NotFoundError, match="no runbook 'nope'; known: "):
        run(propose(app, incident.id, "nope"))


def test_only_an_approver_may_ask_and_asking_again_changes_nothing(
    paged: tuple[Nightowl, Incident],
) -> None:
    app, incident = paged
    viewer = Principal("victor", Role.VIEWER, "mcp-token")
    with pytest.raises(ForbiddenError, match="takes the approver role"):
        run(request_approval(app, incident.id, None, by=viewer))
    refused = [r for r in app.audit.records(incident_id=incident.id) if r.kind == "access.refused"]
    assert [r.actor for r in refused] == ["victor"]
    alice = Principal("alice", Role.APPROVER, "mcp-token")
    workflow_opened = app.records.approvals(incident_id=incident.id)
    asked = run(request_approval(app, incident.id, None, by=alice, note="please"))
    again = run(request_approval(app, incident.id, None, by=alice))
    assert [r.id for r in asked] == [r.id for r in again] == [r.id for r in workflow_opened]
    assert app.records.approvals(incident_id=incident.id) == workflow_opened
    requested = [
        r for r in app.audit.records(incident_id=incident.id) if r.kind == "approval.requested"
    ]
    assert [r.actor for r in requested] == ["nightowl", "alice", "alice"]


def test_without_a_root_cause_there_is_nothing_to_propose(tmp_path: Path) -> None:
    # acting in dry run does not fix the fault: verify re-diagnoses without the tried cause
    app = Nightowl(settings_for(tmp_path, policy={"autonomy": "act"}, actions={"dry_run": True}))
    app.launch()
    try:
        incident = page(app)
        assert incident.diagnosis is None or incident.diagnosis.root_cause is None
        with pytest.raises(InputError, match="has no root cause yet: name a runbook to plan"):
            run(propose(app, incident.id))
        with pytest.raises(InputError, match="no root cause to plan rollback-bad-deploy for"):
            run(propose(app, incident.id, "rollback-bad-deploy"))
    finally:
        app.shutdown()
