"""The post-incident report: six sections, a timeline, cited evidence, from the record alone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from nightowl.domain import (
    ActionResult,
    ActionStatus,
    Alert,
    AlertStatus,
    Autonomy,
    Category,
    Decision,
    Diagnosis,
    Evidence,
    EvidenceKind,
    Hypothesis,
    HypothesisStatus,
    Incident,
    IncidentStatus,
    RootCause,
    Severity,
    SignalCheck,
    Verdict,
    Verification,
)
from nightowl.report.markdown import render

T = datetime(2026, 11, 20, 3, 2, tzinfo=UTC)
SECTIONS = ["Summary", "Timeline", "Root cause", "Resolution", "Impact", "Action items"]

DEPLOY = Evidence(
    id="deploy:checkout:v2.4.1",
    kind=EvidenceKind.DEPLOY,
    service="checkout",
    summary="checkout v2.4.0 → v2.4.1 deployed at 02:51:00 by sam",
    source="scenario",
    query="deploys of checkout",
    onset=T - timedelta(minutes=11),
    data={"version": "v2.4.1", "previous_version": "v2.4.0"},
)
LATENCY = Evidence(
    id="change:checkout:latency_p99",
    kind=EvidenceKind.METRIC_CHANGE,
    service="checkout",
    signal="latency_p99",
    summary="checkout latency_p99 rose 6.8x (0.25 → 1.7) from 02:54:30",
    source="scenario",
    query='latency_p99{service="checkout"}',
    onset=T - timedelta(minutes=7, seconds=30),
    magnitude=6.8,
    data={"baseline": 0.25, "level": 1.7, "direction": 1},
)
UNRELATED = Evidence(
    id="logs:payments:errors",
    kind=EvidenceKind.LOG_ERRORS,
    service="payments",
    summary="3 error lines on payments",
    source="scenario",
    query="level>=ERROR service=payments",
)


def incident(**changes: Any) -> Incident:
    winner = Hypothesis(
        kind="bad_deploy",
        service="checkout",
        confidence=0.92,
        status=HypothesisStatus.SUPPORTED,
        summary="checkout v2.4.1, deployed at 02:51, was followed 4 min later by latency rising",
        supporting=(DEPLOY.id, LATENCY.id),
        deploy="v2.4.1",
    )
    loser = Hypothesis(
        kind="traffic_spike",
        service="checkout",
        confidence=0.05,
        status=HypothesisStatus.REFUTED,
        summary="checkout request rate did not rise",
        refuting=(LATENCY.id,),
    )
    base = Incident(
        id="inc-0123456789ab",
        title="HighLatency on checkout",
        status=IncidentStatus.RESOLVED,
        service="checkout",
        severity=Severity.CRITICAL,
        category=Category.PERFORMANCE,
        opened_at=T + timedelta(seconds=1),
        updated_at=T + timedelta(minutes=9),
        alert_count=1,
        alerts=(
            Alert(
                source="alertmanager",
                fingerprint="fp",
                content_hash="h",
                status=AlertStatus.FIRING,
                name="HighLatency",
                labels={"alertname": "HighLatency", "service": "checkout"},
                annotations={"summary": "checkout p99 latency above 1s"},
                starts_at=T,
            ),
        ),
        evidence=(DEPLOY, LATENCY, UNRELATED),
        hypotheses=(winner, loser),
        diagnosis=Diagnosis(
            root_cause=RootCause(
                kind="bad_deploy", service="checkout", deploy="v2.4.1", summary=winner.summary
            ),
            confidence=0.92,
            explanation="bad_deploy on checkout",
            hypotheses=(winner, loser),
            decided_at=T + timedelta(seconds=3),
        ),
        decisions=(
            Decision(
                idempotency_key="k",
                action_kind="rollback",
                verdict=Verdict.ALLOW,
                autonomy=Autonomy.ACT,
                reasons=("autonomy is 'act' globally and the action is low risk",),
                decided_at=T + timedelta(seconds=4),
            ),
        ),
        actions=(
            ActionResult(
                kind="rollback",
                service="checkout",
                idempotency_key="k",
                driver="simulated",
                status=ActionStatus.SUCCEEDED,
                dry_run=False,
                started_at=T + timedelta(seconds=5),
                finished_at=T + timedelta(seconds=6),
                pre_state={"version": "v2.4.1"},
                post_state={"version": "v2.4.0"},
                message="roll back checkout from v2.4.1 to v2.4.0",
            ),
        ),
        verification=Verification(
            recovered=True,
            checked_at=T + timedelta(minutes=7),
            window_start=T + timedelta(minutes=1),
            window_end=T + timedelta(minutes=6),
            checks=(
                SignalCheck(
                    service="checkout",
                    signal="latency_p99",
                    baseline=0.25,
                    observed=0.26,
                    limit=0.375,
                    ok=True,
                ),
            ),
            summary="recovered: checkout latency_p99 0.26 ≤ 0.375",
        ),
    )
    return base.model_copy(update=changes)


def section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert match, f"no section {title!r}"
    return match.group(1)


def test_the_report_has_the_six_sections_in_order() -> None:
    markdown = render(incident())

    assert re.findall(r"^## (.+)$", markdown, re.M) == SECTIONS
    assert markdown.startswith("# Post-incident report: HighLatency on checkout\n")
    assert "`inc-0123456789ab`" in markdown


def test_the_summary_says_what_was_found_done_and_whether_it_worked() -> None:
    summary = section(render(incident()), "Summary")

    assert "bad deploy on checkout (confidence 92%)" in summary
    assert "rollback (succeeded)" in summary
    assert "the service recovered" in summary


def test_the_timeline_is_in_time_order() -> None:
    timeline = section(render(incident()), "Timeline")
    rows = [ln for ln in timeline.splitlines() if ln.startswith("| 2026")]

    stamps = [row.split(" | ")[0].lstrip("| ") for row in rows]
    assert stamps == sorted(stamps)
    assert "| 2026-11-20 02:51:00 | checkout v2.4.0 → v2.4.1 deployed" in timeline
    assert "alert HighLatency firing: checkout p99 latency above 1s" in timeline
    assert "policy: rollback → allow" in timeline
    assert "recovered: checkout latency_p99" in timeline


def test_the_root_cause_cites_its_evidence_with_source_and_query() -> None:
    root = section(render(incident()), "Root cause")

    assert "**bad_deploy** on **checkout** (deploy v2.4.1), confidence 92%." in root
    assert (
        "checkout v2.4.0 → v2.4.1 deployed at 02:51:00 by sam "
        "*(source: scenario, query: `deploys of checkout`)*" in root
    )
    assert '*(source: scenario, query: `latency_p99{service="checkout"}`)*' in root
    assert "3 error lines on payments" not in root  # not cited by the winner
    assert "- traffic_spike on checkout: 5% (refuted) — checkout request rate did not rise" in root


def test_resolution_impact_and_action_items() -> None:
    markdown = render(incident())

    resolution = section(markdown, "Resolution")
    assert "- rollback on checkout by driver `simulated` (succeeded)" in resolution
    assert "- Verification: recovered" in resolution
    impact = section(markdown, "Impact")
    assert "checkout latency_p99 rose 6.8x" in impact
    assert "Degraded for about 14 minutes" in impact  # 02:54:30 → 03:08 window end
    assert "Services affected: checkout." in impact
    items = section(markdown, "Action items")
    assert "- [ ] Find and fix the regression in checkout v2.4.1 before re-deploying." in items


def test_a_held_back_action_is_in_the_resolution() -> None:
    held = Decision(
        idempotency_key="k",
        action_kind="rollback",
        verdict=Verdict.REQUIRE_APPROVAL,
        autonomy=Autonomy.SUGGEST,
        reasons=("autonomy is 'suggest' globally",),
        decided_at=T,
    )

    markdown = render(incident(decisions=(held,), actions=(), verification=None))

    assert "- rollback: require_approval — autonomy is 'suggest' globally" in section(
        markdown, "Resolution"
    )
    assert "no action was executed; recovery was not verified" in section(markdown, "Summary")


def test_an_undiagnosed_incident_still_has_every_section() -> None:
    markdown = render(
        incident(
            evidence=(),
            hypotheses=(),
            diagnosis=None,
            decisions=(),
            actions=(),
            verification=None,
            status=IncidentStatus.ESCALATED,
        )
    )

    assert re.findall(r"^## (.+)$", markdown, re.M) == SECTIONS
    assert "No diagnosis was made." in section(markdown, "Root cause")
    assert "No action was taken." in section(markdown, "Resolution")
    assert "Services affected: none measured." in section(markdown, "Impact")
    assert "an undiagnosed problem" in section(markdown, "Summary")


def test_a_failed_remediation_asks_for_a_runbook_review() -> None:
    failed = incident().verification
    assert failed is not None

    markdown = render(
        incident(verification=failed.model_copy(update={"recovered": False, "summary": "no"}))
    )

    assert "the service did not recover" in section(markdown, "Summary")
    assert "review the runbook" in section(markdown, "Action items")
