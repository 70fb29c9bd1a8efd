"""The postmortem in Markdown: the Google SRE sections in order, cited evidence, units, and every
outside text escaped so it shows as written."""

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
from nightowl.report.markdown import SECTIONS, code, esc, render

T = datetime(2026, 11, 20, 3, 2, tzinfo=UTC)

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
    summary="checkout latency_p99 rose 6.8x (250 ms → 1.70 s) from 02:54:30",
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


def test_the_report_has_the_postmortem_sections_in_order() -> None:
    markdown = render(incident())

    assert re.findall(r"^## (.+)$", markdown, re.M) == list(SECTIONS)
    assert markdown.startswith("# Postmortem: HighLatency on checkout\n")
    assert "`inc-0123456789ab`" in markdown
    assert re.findall(r"^### (.+)$", section(markdown, "Lessons learned"), re.M) == [
        "What went well",
        "What went badly",
        "Where we got lucky",
    ]


def test_the_status_and_summary_say_how_it_ended_and_why() -> None:
    markdown = render(incident())

    assert section(markdown, "Status").strip() == (
        "**resolved**: recovered: checkout latency_p99 0.26 ≤ 0.375."
    )
    summary = section(markdown, "Summary")
    assert "bad deploy on checkout (confidence 92%)" in summary
    assert "rollback (succeeded)" in summary


def test_detection_gives_the_delays_between_trigger_alert_page_and_mitigation() -> None:
    detection = section(render(incident()), "Detection")

    assert "| trigger (change) | 2026-11-20 02:51:00 | — |" in detection
    assert "| first alert | 2026-11-20 03:02:00 | 11 min since the trigger |" in detection
    assert (
        "| page (incident opened) | 2026-11-20 03:02:01 | 1 s since the first alert |" in detection
    )
    assert "| mitigated | 2026-11-20 03:02:06 | 5 s since the page |" in detection


def test_the_timeline_is_in_time_order() -> None:
    timeline = section(render(incident()), "Timeline")
    rows = [ln for ln in timeline.splitlines() if ln.startswith("| 2026")]

    stamps = [row.split(" | ")[0].lstrip("| ") for row in rows]
    assert stamps == sorted(stamps)
    assert "| 2026-11-20 02:51:00 | checkout v2.4.0 → v2.4.1 deployed" in timeline
    assert "alert HighLatency firing: checkout p99 latency above 1s" in timeline
    assert "policy: rollback → allow" in timeline
    assert "recovered: checkout latency_p99" in timeline


def test_trigger_and_root_cause_cite_the_evidence_with_source_and_query() -> None:
    cause = section(render(incident()), "Trigger and root cause")

    assert "- **Trigger:** checkout v2.4.0 → v2.4.1 deployed at 02:51:00 by sam." in cause
    assert "- **Root cause:** bad_deploy on checkout (deploy v2.4.1), confidence 92%" in cause
    assert (
        "- checkout v2.4.0 → v2.4.1 deployed at 02:51:00 by sam "
        "(source scenario, query `deploys of checkout`)" in cause
    )
    assert '(source scenario, query `latency_p99{service="checkout"}`)' in cause
    assert "3 error lines on payments" not in cause  # not cited by the winner
    assert "- traffic_spike on checkout: 5% (refuted) — checkout request rate did not rise" in cause


def test_resolution_impact_and_action_items() -> None:
    markdown = render(incident())

    resolution = section(markdown, "Resolution")
    assert "- rollback on checkout by driver simulated (succeeded)" in resolution
    assert "- Verification: recovered" in resolution
    impact = section(markdown, "Impact")
    assert "checkout latency_p99 rose 6.8x (250 ms → 1.70 s)" in impact
    assert "Degraded for 14 min" in impact  # 02:54:30 → 03:08 window end
    assert "Services affected: checkout." in impact
    assert "Failed requests: _not computed_" in impact  # no observations given
    items = section(markdown, "Action items")
    assert "| action item | type | priority | owner |" in items
    assert (
        "| Find and fix the regression in checkout v2.4.1 before re-deploying | prevent | P1 "
        "| _To fill in_ |" in items
    )


def test_what_only_humans_know_is_a_marked_prompt() -> None:
    markdown = render(incident())

    lucky = section(markdown, "Lessons learned").split("### Where we got lucky")[1]
    assert "_To fill in_: where did we get lucky?" in lucky
    assert "_To fill in:_ the incident commander" in section(markdown, "Responders")
    assert "_To fill in:_ what users saw" in section(markdown, "Impact")


def test_a_held_back_action_says_a_human_must_decide() -> None:
    held = Decision(
        idempotency_key="k",
        action_kind="rollback",
        verdict=Verdict.REQUIRE_APPROVAL,
        autonomy=Autonomy.SUGGEST,
        reasons=("autonomy is 'suggest' globally",),
        decided_at=T,
    )

    markdown = render(
        incident(decisions=(held,), actions=(), verification=None, status=IncidentStatus.ESCALATED)
    )

    assert "- rollback: require approval — autonomy is 'suggest' globally" in section(
        markdown, "Resolution"
    )
    status = section(markdown, "Status")
    assert "**escalated**: the rollback was held for approval, and not approved" in status
    assert "**Next:** A human must decide whether to" in status
    assert "no action was executed" in section(markdown, "Summary")


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

    assert re.findall(r"^## (.+)$", markdown, re.M) == list(SECTIONS)
    assert "No diagnosis was made." in section(markdown, "Trigger and root cause")
    assert "No action was taken." in section(markdown, "Resolution")
    assert "Services affected: none measured." in section(markdown, "Impact")
    assert "no root cause with enough confidence" in section(markdown, "Summary")
    assert "**escalated**: no root cause was found" in section(markdown, "Status")


def test_a_failed_remediation_asks_for_a_runbook_review() -> None:
    failed = incident().verification
    assert failed is not None

    markdown = render(
        incident(
            verification=failed.model_copy(update={"recovered": False, "summary": "no"}),
            status=IncidentStatus.ESCALATED,
        )
    )

    assert "**escalated**: the actions taken did not bring recovery (no)" in section(
        markdown, "Status"
    )
    assert "The remediation did not work: review" in section(markdown, "Action items")


def test_log_templates_and_markup_in_alert_text_show_as_written() -> None:
    template = Evidence(
        id="logs:checkout:template",
        kind=EvidenceKind.LOG_TEMPLATE,
        service="checkout",
        summary="POST /api/v<*>/checkout failed after <*>ms order=<*> *urgent* _x_ [a](b) | c",
        source="scenario",
        query="level>=ERROR `service`=checkout",
    )
    base = incident()
    assert base.diagnosis is not None
    winner = base.diagnosis.hypotheses[0].model_copy(update={"supporting": (template.id,)})
    diagnosis = base.diagnosis.model_copy(update={"hypotheses": (winner,)})

    cause = section(
        render(incident(evidence=(template,), diagnosis=diagnosis)), "Trigger and root cause"
    )

    assert (
        r"POST /api/v\<\*\>/checkout failed after \<\*\>ms order=\<\*\> \*urgent\* \_x\_ "
        r"\[a\](b) \| c" in cause
    )
    assert "``level>=ERROR `service`=checkout``" in cause


def test_escaping_keeps_words_readable_and_code_spans_fenced() -> None:
    assert esc("checkout error_rate rose") == "checkout error_rate rose"
    assert esc("# not a heading\nnor - a list") == r"\# not a heading nor - a list"
    assert esc("1. first") == r"1\. first"
    assert esc("a & b <c>") == r"a \& b \<c\>"
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
