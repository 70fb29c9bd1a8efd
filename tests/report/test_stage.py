"""The report stage on real incidents run through the pipeline (API, store, DBOS workflow, the
replayed checkout-bad-deploy scenario): the postmortem written as Markdown, HTML and JSON, with
the outcome, the detection delays, the impact in numbers, the commit and the alert's link."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from nightowl.app import Nightowl
from nightowl.domain import Incident
from nightowl.domain.memory import Memory, Signature
from nightowl.report.model import Postmortem
from nightowl.report.stage import load_model, model_path
from tests.approvals.flow import auth, page, pending_request, settings_for
from tests.report.test_markdown import section

GRAPH = "http://prometheus.scenario:9090/graph?scenario=checkout-bad-deploy"


def run(tmp_path: Path, **sections: object) -> Incident:
    app = Nightowl(settings_for(tmp_path, **sections))
    app.launch()
    try:
        return page(app)
    finally:
        app.shutdown()


@pytest.fixture(scope="module")
def dry(tmp_path_factory: pytest.TempPathFactory) -> Incident:
    """The default: dry run. The rollback is allowed and previewed, not executed."""
    return run(tmp_path_factory.mktemp("dry"), actions={"dry_run": True})


def test_a_dry_run_says_it_escalated_and_what_a_human_must_run(dry: Incident) -> None:
    assert dry.report_path is not None
    markdown = Path(dry.report_path).read_text(encoding="utf-8")

    status = section(markdown, "Status")
    assert (
        "**escalated**: dry run: the rollback of checkout to v2.4.0 was allowed by policy but "
        "not executed (actions.dry_run is on)." in status
    )
    assert "**Next:** A human must run it: roll back checkout from v2.4.1 to v2.4.0." in status
    items = section(markdown, "Action items")
    assert (
        "| A human must run it: roll back checkout from v2.4.1 to v2.4.0 | mitigate | P1 |" in items
    )
    assert "dry run, not executed" in section(markdown, "Resolution")
    assert "Final status: escalated — dry run: the rollback" in section(markdown, "Summary")
    assert (
        "- Degraded since 2026-11-20 02:54:30 UTC (first symptom); recovery was not verified."
        in section(markdown, "Impact")
    )


def test_the_notification_leads_with_the_outcome(dry: Incident) -> None:
    assert dry.report_path is not None
    sent = Path(dry.report_path).parent.parent / "notifications.jsonl"
    [message] = [json.loads(line) for line in sent.read_text().splitlines()]

    assert message["status"] == "escalated"
    first = message["text"].splitlines()[0]
    assert first.startswith("escalated: dry run: the rollback of checkout to v2.4.0 was allowed")
    assert first.endswith("— a human must run it: roll back checkout from v2.4.1 to v2.4.0")


def test_the_postmortem_has_the_commit_the_link_and_the_detection_delay(dry: Incident) -> None:
    assert dry.report_path is not None
    markdown = Path(dry.report_path).read_text(encoding="utf-8")

    assert "commit `9f3c2ab`" in section(markdown, "Trigger and root cause")
    links = section(markdown, "Links")
    assert f"- alert HighLatency: <{GRAPH}>" in links
    assert "- commit 9f3c2ab (checkout v2.4.1)" in links
    detection = section(markdown, "Detection")
    assert "| trigger (change) | 2026-11-20 02:51:00 | — |" in detection
    assert "| first alert | 2026-11-20 03:02:00 | 11 min since the trigger |" in detection
    assert "| mitigated | — | — |" in detection  # nothing was executed


def test_user_impact_is_counted_from_the_observations(dry: Incident) -> None:
    assert dry.report_path is not None
    report = load_model(Path(dry.report_path))
    assert report is not None

    impact = report.impact
    assert impact.requests is not None
    assert impact.failed_requests is not None
    # checkout serves ~120 req/s; its error rate rose from 0.2% towards 6% from 02:55:30
    assert 0 < impact.failed_requests < impact.requests
    assert impact.excess_failed_requests is not None
    assert 0 < impact.excess_failed_requests < impact.failed_requests
    assert "request_rate (req/s) × error_rate" in impact.method
    markdown = Path(dry.report_path).read_text(encoding="utf-8")
    assert re.search(r"- Failed requests: ≈ [\d,]+ of ≈ [\d,]+ \(\d+\.\d%\)", markdown)


def test_the_json_beside_the_report_is_the_typed_model(dry: Incident) -> None:
    assert dry.report_path is not None
    raw = model_path(Path(dry.report_path)).read_text(encoding="utf-8")

    report = Postmortem.model_validate_json(raw)
    assert report.incident_id == dry.id
    assert report.outcome.status.value == "escalated"
    assert report.cause is not None
    assert report.cause.commit == "9f3c2ab"
    assert [p.prompt for p in report.lucky] == [True]


def test_a_real_rollback_reports_the_time_to_mitigate(tmp_path: Path) -> None:
    done = run(tmp_path)  # settings_for: actions.dry_run false, autonomy act
    assert done.report_path is not None
    markdown = Path(done.report_path).read_text(encoding="utf-8")

    assert section(markdown, "Status").startswith("\n**resolved**: recovered: checkout")
    detection = section(markdown, "Detection")
    assert re.search(
        r"\| mitigated \| 2026-11-20 03:0\d:\d\d \| \d+ s since the page \|", detection
    )
    assert "Degraded for" in section(markdown, "Impact")
    assert "e+0" not in markdown  # values carry units: no 4.03e+08


def test_an_approved_dry_run_names_the_approver_and_the_plan(tmp_path: Path) -> None:
    async def approve(client: httpx.AsyncClient, incident_id: str) -> None:
        request = await pending_request(client, incident_id)
        answer = await client.post(
            f"/api/v1/approvals/{request['id']}/approve",
            json={"reason": "go"},
            headers=auth("alice"),
        )
        assert answer.status_code == 200, answer.text

    app = Nightowl(
        settings_for(tmp_path, policy={"autonomy": "suggest"}, actions={"dry_run": True})
    )
    app.launch()
    try:
        done = page(app, approve)
    finally:
        app.shutdown()

    assert done.report_path is not None
    markdown = Path(done.report_path).read_text(encoding="utf-8")
    assert (
        "**escalated**: dry run: the rollback of checkout to v2.4.0 was approved but not "
        "executed (actions.dry_run is on)." in section(markdown, "Status")
    )
    assert "- alice (approver): approved rollback on checkout" in section(markdown, "Responders")
    assert "approval approved by alice" in section(markdown, "Timeline")


def test_the_finished_incident_is_remembered_and_memory_past_retention_is_deleted(
    tmp_path: Path,
) -> None:
    """``memory.retention_days``: the report stage remembers the incident, then deletes the
    memories of incidents opened longer ago than that (the scenario's data time, 2026-11-20)."""
    app = Nightowl(settings_for(tmp_path, memory={"retention_days": 30}))
    sig = Signature(alertnames=("HighLatency",), services=("checkout",))
    for name, days in (("inc-old", 45), ("inc-recent", 10)):
        at = datetime(2026, 11, 20, 3, tzinfo=UTC) - timedelta(days=days)
        app.stores.memory.remember(
            Memory(incident_id=name, title="HighLatency on checkout", opened_at=at, signature=sig),
            at,
        )
    app.launch()
    try:
        incident = page(app)
        kept = {i: app.stores.memory.get(i) is not None for i in ("inc-old", "inc-recent")}
        assert app.stores.memory.get(incident.id) is not None
    finally:
        app.shutdown()
    assert kept == {"inc-old": False, "inc-recent": True}
