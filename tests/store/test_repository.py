"""The IncidentStore contract, run against every backend (see conftest.BACKENDS)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from nightowl.domain import (
    ActionResult,
    ActionSpec,
    ActionStatus,
    Autonomy,
    Category,
    Decision,
    Diagnosis,
    Evidence,
    EvidenceKind,
    Hypothesis,
    HypothesisStatus,
    IncidentStatus,
    Notification,
    Report,
    RootCause,
    Severity,
    SignalCheck,
    StageName,
    StageRecord,
    StageStatus,
    Triage,
    Verdict,
    Verification,
)
from nightowl.domain.remediation import Risk  # not in nightowl.domain.__all__ yet
from nightowl.errors import InputError, NotFoundError
from nightowl.store import AddAlertsResult, IncidentStore, repository
from nightowl.store.dead_letters import DeadLetterCap
from tests.store.samples import T0, make_alert, make_incident

PLUS_TWO = timezone(timedelta(hours=2))


def test_create_get_and_list(store: IncidentStore) -> None:
    make_incident(store, "inc-1", at=T0)
    make_incident(store, "inc-2", at=T0 + timedelta(minutes=5))
    store.add_alerts("inc-1", [make_alert("a"), make_alert("b")], received_at=T0)

    incident = store.get("inc-1")
    assert (incident.id, incident.title, incident.status) == (
        "inc-1",
        "title of inc-1",
        IncidentStatus.OPEN,
    )
    assert (incident.service, incident.severity, incident.category) == (
        "checkout",
        Severity.HIGH,
        None,
    )
    assert incident.opened_at == T0
    assert incident.alert_count == 2
    assert (incident.stages, incident.evidence, incident.actions) == ((), (), ())

    listed = store.list()
    assert [(s.id, s.alert_count) for s in listed] == [("inc-2", 0), ("inc-1", 2)]
    assert [s.id for s in store.list(limit=1)] == ["inc-2"]
    store.set_status("inc-2", IncidentStatus.RESOLVED)
    assert [s.id for s in store.list(status=IncidentStatus.RESOLVED)] == ["inc-2"]
    assert [s.id for s in store.list(status=IncidentStatus.OPEN)] == ["inc-1"]


def test_list_by_service_and_opening_time(store: IncidentStore) -> None:
    make_incident(store, "inc-old", key="k1", at=T0)
    make_incident(store, "inc-new", key="k2", at=T0 + timedelta(hours=2))
    store.create_incident(
        incident_id="inc-cart", correlation_key="k3", title="cart", service="cart",
        severity=Severity.HIGH, opened_at=T0 + timedelta(hours=3),
    )  # fmt: skip
    assert [s.id for s in store.list(service="checkout")] == ["inc-new", "inc-old"]
    since = (T0 + timedelta(hours=1)).astimezone(PLUS_TWO)
    assert [s.id for s in store.list(since=since)] == ["inc-cart", "inc-new"]
    assert [s.id for s in store.list(service="checkout", since=since)] == ["inc-new"]


def test_a_storm_incident_is_read_with_its_newest_alerts_and_the_full_count(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "ALERTS_LOADED", 5)
    make_incident(store, "inc-1", at=T0)
    store.add_alerts("inc-1", [make_alert(f"h{n:02}", f"f{n:02}") for n in range(12)], T0)

    incident = store.get("inc-1")

    assert incident.alert_count == 12
    assert [a.content_hash for a in incident.alerts] == ["h07", "h08", "h09", "h10", "h11"]
    assert store.list()[0].alert_count == 12


def test_the_backlog_counts_what_nightowl_still_owes_and_its_oldest(
    store: IncidentStore,
) -> None:
    assert store.backlog() == (0, None)
    make_incident(store, "inc-1", key="a", at=T0)
    make_incident(store, "inc-2", key="b", at=T0 + timedelta(minutes=5))
    make_incident(store, "inc-3", key="c", at=T0 + timedelta(minutes=9))
    store.set_status("inc-1", IncidentStatus.ESCALATED)  # a human owns it: not nightowl's work
    store.set_status("inc-2", IncidentStatus.INVESTIGATING)
    assert store.backlog() == (2, T0 + timedelta(minutes=5))


def test_create_incident_is_idempotent(store: IncidentStore) -> None:
    make_incident(store, "inc-1")
    again = store.create_incident(
        incident_id="inc-1",
        correlation_key="other",
        title="another title",
        service=None,
        severity=None,
        opened_at=T0 + timedelta(hours=1),
    )
    assert again is False
    incident = store.get("inc-1")
    assert (incident.title, incident.opened_at) == ("title of inc-1", T0)
    assert len(store.list()) == 1


def test_add_alerts_skips_duplicate_deliveries(store: IncidentStore) -> None:
    make_incident(store, "inc-1")
    make_incident(store, "inc-2")
    first = store.add_alerts("inc-1", [make_alert("a"), make_alert("b"), make_alert("a")], T0)
    assert first == AddAlertsResult(new=2, duplicates=1)
    assert store.add_alerts("inc-1", [make_alert("b")], T0) == AddAlertsResult(new=0, duplicates=1)
    # The same notification on another incident is not a duplicate there.
    assert store.add_alerts("inc-2", [make_alert("a")], T0) == AddAlertsResult(new=1, duplicates=0)
    alerts = store.get("inc-1").alerts
    assert [a.content_hash for a in alerts] == ["a", "b"]
    assert alerts[0] == make_alert("a")


def test_add_alerts_to_unknown_incident(store: IncidentStore) -> None:
    with pytest.raises(NotFoundError):
        store.add_alerts("nope", [make_alert()], T0)


def test_open_incident_for_ignores_resolved(store: IncidentStore) -> None:
    assert store.open_incident_for("k") is None
    make_incident(store, "old", key="k", at=T0)
    make_incident(store, "other-key", key="x", at=T0 + timedelta(hours=2))
    assert store.open_incident_for("k") == "old"
    make_incident(store, "new", key="k", at=T0 + timedelta(hours=1))
    assert store.open_incident_for("k") == "new"
    store.set_status("new", IncidentStatus.RESOLVED)
    assert store.open_incident_for("k") == "old"
    store.set_status("old", IncidentStatus.RESOLVED)
    assert store.open_incident_for("k") is None
    store.set_status("old", IncidentStatus.ESCALATED)
    assert store.open_incident_for("k") == "old"


def stage(name: StageName, status: StageStatus, summary: str = "") -> StageRecord:
    return StageRecord(stage=name, status=status, started_at=T0, summary=summary)


def test_stage_records_upsert_and_order(store: IncidentStore) -> None:
    make_incident(store)
    store.record_stage("inc-1", stage(StageName.GATHER, StageStatus.RUNNING))
    store.record_stage("inc-1", stage(StageName.TRIAGE, StageStatus.COMPLETED, "critical"))
    store.record_stage("inc-1", stage(StageName.GATHER, StageStatus.FAILED, "timeout"))
    stages = store.get("inc-1").stages
    assert [(s.stage, s.status, s.attempt) for s in stages] == [
        (StageName.TRIAGE, StageStatus.COMPLETED, 1),
        (StageName.GATHER, StageStatus.FAILED, 1),
    ]

    finished = StageRecord(
        stage=StageName.GATHER,
        status=StageStatus.COMPLETED,
        started_at=T0,
        finished_at=T0 + timedelta(seconds=3),
        summary="12 series",
    )
    store.record_stage("inc-1", finished, attempt=2)
    store.record_stage("inc-1", stage(StageName.REPORT, StageStatus.RUNNING).model_copy())
    stages = store.get("inc-1").stages
    assert [s.stage for s in stages] == [StageName.TRIAGE, StageName.GATHER, StageName.REPORT]
    assert stages[1] == finished.model_copy(update={"attempt": 2})
    # The attempt can also travel on the record itself.
    retry = stage(StageName.REPORT, StageStatus.COMPLETED).model_copy(update={"attempt": 3})
    store.record_stage("inc-1", retry)
    assert store.get("inc-1").stages[2] == retry
    with pytest.raises(ValueError, match="attempt"):
        store.record_stage("inc-1", retry, attempt=0)


def test_save_triage_sets_incident_columns(store: IncidentStore) -> None:
    make_incident(store)
    triage = Triage(
        category=Category.AVAILABILITY,
        severity=Severity.CRITICAL,
        service="payments",
        reasons=("error rate 30%",),
    )
    store.save_triage("inc-1", triage)
    incident = store.get("inc-1")
    assert incident.triage == triage
    assert (incident.category, incident.severity, incident.service) == (
        Category.AVAILABILITY,
        Severity.CRITICAL,
        "payments",
    )
    store.save_triage("inc-1", triage.model_copy(update={"service": None}))
    assert store.get("inc-1").service == "payments"


EVIDENCE = (
    Evidence(
        id="ev-1",
        kind=EvidenceKind.DEPLOY,
        service="checkout",
        summary="v2 deployed 3 minutes before onset",
        source="deploys",
        query="service=checkout",
        onset=T0,
        data={"version": "v2", "minutes": 3, "rollback": True, "ratio": 0.5, "none": None},
    ),
    Evidence(
        id="ev-2",
        kind=EvidenceKind.METRIC_CHANGE,
        service=None,
        summary="error rate up",
        source="prometheus",
        query="rate(errors[5m])",
        magnitude=12.5,
    ),
)
HYPOTHESES = (
    Hypothesis(
        kind="bad_deploy",
        service="checkout",
        confidence=0.8,
        status=HypothesisStatus.SUPPORTED,
        summary="v2 broke checkout",
        supporting=("ev-1", "ev-2"),
        deploy="v2",
    ),
    Hypothesis(
        kind="traffic_spike",
        service="checkout",
        confidence=0.1,
        status=HypothesisStatus.REFUTED,
        summary="no",
        refuting=("ev-2",),
    ),
)
SPEC = ActionSpec(
    kind="rollback",
    service="checkout",
    params={"to": "v1", "replicas": 3},
    runbook="bad-deploy",
    risk=Risk.LOW,
    reason="v2 is the suspect",
    rollback="redeploy v2",
    idempotency_key="inc-1/rollback/1",
)


def action(status: ActionStatus = ActionStatus.DRY_RUN) -> ActionResult:
    return ActionResult(
        kind="rollback",
        service="checkout",
        idempotency_key="inc-1/rollback/1",
        driver="simulated",
        status=status,
        dry_run=status == ActionStatus.DRY_RUN,
        started_at=T0,
        finished_at=T0 + timedelta(seconds=2),
        pre_state={"version": "v2"},
        post_state={"version": "v1"},
    )


def test_every_save_round_trips(store: IncidentStore) -> None:
    make_incident(store)
    diagnosis = Diagnosis(
        root_cause=RootCause(kind="bad_deploy", service="checkout", deploy="v2", summary="v2"),
        confidence=0.8,
        explanation="the deploy preceded the errors",
        hypotheses=HYPOTHESES,
        decided_at=T0.astimezone(PLUS_TWO),
    )
    decision = Decision(
        idempotency_key=SPEC.idempotency_key,
        action_kind="rollback",
        verdict=Verdict.REQUIRE_APPROVAL,
        autonomy=Autonomy.SUGGEST,
        reasons=("autonomy is suggest",),
        decided_at=T0,
    )
    verification = Verification(
        recovered=True,
        checked_at=T0,
        window_start=T0,
        window_end=T0 + timedelta(minutes=5),
        checks=(
            SignalCheck(
                service="checkout", signal="error_rate", baseline=0.01, observed=0.012, limit=0.015,
                ok=True,
            ),
        ),
        summary="recovered",
    )  # fmt: skip
    report = Report(
        markdown="# Incident\n\nrolled back ✓", path="/data/reports/inc-1.md", created_at=T0
    )
    notifications = [
        Notification(channel="slack", ok=True, sent_at=T0, detail="posted"),
        Notification(channel="email", ok=False, sent_at=T0, detail="smtp refused"),
    ]

    store.save_evidence("inc-1", EVIDENCE)
    store.save_hypotheses("inc-1", HYPOTHESES)
    store.save_diagnosis("inc-1", diagnosis)
    store.save_plan("inc-1", [SPEC])
    store.save_decisions("inc-1", [decision])
    store.save_action("inc-1", action())
    store.save_verification("inc-1", verification)
    store.save_report("inc-1", report)
    for notification in notifications:
        store.add_notification("inc-1", notification)

    incident = store.get("inc-1")
    assert incident.evidence == EVIDENCE
    assert incident.hypotheses == HYPOTHESES
    assert incident.diagnosis == diagnosis
    assert incident.plan == (SPEC,)
    assert incident.decisions == (decision,)
    assert incident.actions == (action(),)
    assert incident.verification == verification
    assert incident.report == report
    assert incident.report_path == "/data/reports/inc-1.md"
    assert incident.notifications == tuple(notifications)


def test_saves_replace_what_the_stage_wrote_before(store: IncidentStore) -> None:
    make_incident(store)
    store.save_evidence("inc-1", EVIDENCE)
    store.save_evidence("inc-1", EVIDENCE[::-1])
    assert store.get("inc-1").evidence == EVIDENCE[::-1]
    store.save_evidence("inc-1", EVIDENCE[:1])
    assert store.get("inc-1").evidence == EVIDENCE[:1]
    store.save_hypotheses("inc-1", HYPOTHESES)
    store.save_hypotheses("inc-1", [])
    assert store.get("inc-1").hypotheses == ()
    with pytest.raises(ValueError, match="ev-1"):
        store.save_evidence("inc-1", [EVIDENCE[0], EVIDENCE[0]])
    assert store.get("inc-1").evidence == EVIDENCE[:1]


def test_save_action_upserts_on_idempotency_key(store: IncidentStore) -> None:
    make_incident(store)
    assert store.find_action("inc-1/rollback/1") is None
    store.save_action("inc-1", action(ActionStatus.DRY_RUN))
    store.save_action("inc-1", action(ActionStatus.SUCCEEDED))
    other = action().model_copy(update={"idempotency_key": "inc-1/scale/1", "kind": "scale"})
    store.save_action("inc-1", other)
    assert store.find_action("inc-1/rollback/1") == action(ActionStatus.SUCCEEDED)
    assert store.find_action("inc-1/scale/1") == other
    assert store.get("inc-1").actions == (action(ActionStatus.SUCCEEDED), other)


def test_updated_at_moves_on_every_write(store: IncidentStore) -> None:
    make_incident(store)
    seen = [store.get("inc-1").updated_at]
    writes: list[Callable[[], object]] = [
        lambda: store.add_alerts("inc-1", [make_alert()], T0),
        lambda: store.set_status("inc-1", IncidentStatus.INVESTIGATING),
        lambda: store.record_stage("inc-1", stage(StageName.TRIAGE, StageStatus.RUNNING)),
        lambda: store.save_evidence("inc-1", EVIDENCE),
        lambda: store.save_action("inc-1", action()),
    ]
    for write in writes:
        write()
        seen.append(store.get("inc-1").updated_at)
    assert seen == sorted(set(seen))
    # A delivery that adds nothing is not a write.
    store.add_alerts("inc-1", [make_alert()], T0)
    assert store.get("inc-1").updated_at == seen[-1]


def test_unknown_incident_names_the_id_and_what_to_do(store: IncidentStore) -> None:
    with pytest.raises(NotFoundError) as caught:
        store.get("inc-404")
    assert str(caught.value) == "no incident 'inc-404'; list them with `nightowl incidents list`"
    with pytest.raises(NotFoundError, match="inc-404"):
        store.save_report("inc-404", Report(markdown="", path=None, created_at=T0))


def test_datetimes_read_back_aware_utc(store: IncidentStore) -> None:
    local = T0.astimezone(PLUS_TWO)
    make_incident(store, at=local)
    naive_alert = make_alert().model_copy(update={"starts_at": datetime(2030, 1, 1, 3, 0)})
    store.add_alerts("inc-1", [naive_alert], received_at=local)
    store.record_stage("inc-1", StageRecord(stage=StageName.TRIAGE, status=StageStatus.RUNNING,
                                            started_at=local, finished_at=local))  # fmt: skip
    cap = DeadLetterCap(max_count=10, max_bytes=1 << 20, keep_after=local - timedelta(days=1))
    store.dead_letter(
        source="x", reason="r", body=b"", content_type=None, headers={}, received_at=local,
        sender="bearer", cap=cap,
    )  # fmt: skip
    incident = store.get("inc-1")
    stamps = [
        incident.opened_at,
        incident.updated_at,
        incident.alerts[0].starts_at,
        incident.stages[0].started_at,
        incident.stages[0].finished_at,
        store.list()[0].opened_at,
        store.list_dead_letters()[0].received_at,
    ]
    for stamp in stamps:
        assert stamp is not None
        assert stamp.tzinfo is UTC
    assert incident.opened_at == T0
    assert incident.alerts[0].starts_at == T0  # naive input is taken to be UTC


def test_an_incident_is_found_by_the_start_of_its_id(store: IncidentStore) -> None:
    make_incident(store, "inc-3546aa01", at=T0)
    make_incident(store, "inc-77b0", at=T0)

    assert store.resolve("inc-3546") == "inc-3546aa01"
    assert store.resolve(" inc-77b0 ") == "inc-77b0"


def test_an_exact_id_wins_over_a_longer_one_it_starts(store: IncidentStore) -> None:
    make_incident(store, "inc-1", at=T0)
    make_incident(store, "inc-12", at=T0)

    assert store.resolve("inc-1") == "inc-1"


def test_an_ambiguous_start_names_the_matching_ids(store: IncidentStore) -> None:
    make_incident(store, "inc-35a", at=T0)
    make_incident(store, "inc-35b", at=T0 + timedelta(minutes=1))
    make_incident(store, "inc-99", at=T0)

    with pytest.raises(InputError) as raised:
        store.resolve("inc-35")

    assert "several incident ids (inc-35b, inc-35a)" in str(raised.value)
    assert "inc-99" not in str(raised.value)


def test_a_start_no_id_has_is_not_found_and_wildcards_are_literal(store: IncidentStore) -> None:
    make_incident(store, "inc-1", at=T0)

    for typed in ("inc-2", "inc%", "inc_1", "%"):
        with pytest.raises(NotFoundError, match="nightowl incidents list"):
            store.resolve(typed)
    with pytest.raises(InputError, match="empty"):
        store.resolve("  ")
