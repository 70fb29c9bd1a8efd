"""Verification after every write: a remedy that does not help is rolled back, nightowl diagnoses
again without the cause it tried (a bounded number of rounds), then escalates."""

from __future__ import annotations

from pathlib import Path

from nightowl.app import Nightowl
from nightowl.domain import ActionStatus, IncidentStatus
from tests.approvals.flow import page, settings_for


def test_an_unhelpful_action_is_rolled_back_then_the_next_cause_tried_then_escalated(
    tmp_path: Path,
) -> None:
    books = tmp_path / "runbooks"
    books.mkdir()
    (books / "wrong.yaml").write_text(
        "name: rollback-bad-deploy\ndescription: the wrong remedy\ntrigger: {fault_kinds: [bad_deploy]}\n"
        "steps: [{action: scale_out, params: {factor: 2}}]\nrollback: scale back\n"
    )
    settings = settings_for(
        tmp_path,
        runbooks={"paths": [str(books)]},
        analysis={"min_confidence": 0.2},
        verify={"max_cycles": 2, "settle_seconds": 30, "window_seconds": 120},
    )
    app = Nightowl(settings)
    app.launch()
    try:
        incident = page(app)
        audit = [r.kind for r in app.audit.records(incident_id=incident.id)]
    finally:
        app.shutdown()

    kinds = [(a.kind, a.status) for a in incident.actions]
    assert kinds == [("scale_out", ActionStatus.ROLLED_BACK), ("restart", ActionStatus.ROLLED_BACK)]
    assert incident.diagnosis is not None
    assert incident.diagnosis.root_cause is not None
    assert incident.diagnosis.root_cause.kind == "memory_leak"  # round two, bad_deploy excluded
    assert incident.verification is not None
    assert incident.verification.rolled_back
    assert incident.status is IncidentStatus.ESCALATED
    assert [d.action_kind for d in incident.decisions] == ["scale_out", "restart"]
    assert audit.count("rollback") == 2
    assert audit.count("verification") == 2
    diagnose = next(s for s in incident.stages if s.stage.value == "diagnose")
    assert diagnose.attempt == 2
