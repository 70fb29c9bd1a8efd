"""Building the postmortem: detection delays, trigger vs root cause, responders and approvers."""

from __future__ import annotations

from datetime import timedelta

from nightowl.domain import ApprovalRequest, ApprovalStatus, EvidenceKind
from nightowl.domain.outcome import outcome_of
from nightowl.report.postmortem import Sources, build, detect
from tests.domain.test_outcome import SPEC
from tests.report.test_markdown import DEPLOY, T, incident


def test_the_detection_delay_runs_from_the_trigger_to_the_first_alert() -> None:
    d = detect(incident())

    assert d.trigger_at == T - timedelta(minutes=11)
    assert d.detection_delay_seconds == 660
    assert d.time_to_page_seconds == 1
    assert d.time_to_diagnose_seconds == 2
    assert d.time_to_mitigate_seconds == 5


def test_without_a_deploy_the_delay_runs_from_the_first_symptom() -> None:
    inc = incident(
        evidence=tuple(e for e in incident().evidence if e.kind is not EvidenceKind.DEPLOY)
    )

    d = detect(inc)
    report = build(inc)

    assert d.trigger_at is None
    assert d.detection_delay_seconds == 450  # 02:54:30 → 03:02:00
    assert report.cause is not None
    assert report.cause.trigger == ""  # rendered as a prompt for humans
    assert report.cause.commit is None
    assert DEPLOY.summary not in report.model_dump_json()


def test_approvers_and_other_responders_come_from_the_requests_and_the_audit() -> None:
    request = ApprovalRequest(
        id="apr-1",
        incident_id="inc-0123456789ab",
        service="checkout",
        action=SPEC,
        plan="roll back checkout to v2.3.9",
        rollback="re-deploy v2.4.0",
        diagnosis="bad deploy",
        status=ApprovalStatus.APPROVED,
        requested_at=T,
        expires_at=T + timedelta(hours=1),
        decided_at=T + timedelta(minutes=2),
        decided_by="alice",
    )

    report = build(
        incident(),
        Sources(
            approvals=(request,),
            actors=(("alice", "approval approved"), ("mallory", "access refused")),
        ),
    )

    assert [(p.name, p.role, p.did) for p in report.people] == [
        ("alice", "approver", "approved rollback on checkout"),
        ("mallory", "responder", "access refused"),
    ]
    assert any(
        e.text == "approval approved by alice: roll back checkout to v2.3.9"
        for e in report.timeline
    )
    assert report.outcome == outcome_of(incident())
