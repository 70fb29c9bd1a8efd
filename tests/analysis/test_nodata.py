"""An incident gathered on no data: untested hypotheses, no root cause, and a diagnosis (incident,
report, notification) that says why — no data source configured, or none returned anything.

The whole application runs (API, store, DBOS workflow); the second case reads a real Prometheus
(Debian ``prometheus``) that scrapes nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nightowl_lab.harness.prometheus import PrometheusServer

from nightowl.analysis.nodata import gathered_nothing, no_sources
from nightowl.app import Nightowl
from nightowl.cli.serve import application
from nightowl.domain import HypothesisStatus, Incident, IncidentStatus
from tests.approvals.flow import auth, page, settings_for


@pytest.fixture(scope="module")
def empty_prometheus() -> Iterator[str]:
    """A real Prometheus on loopback that scrapes nothing: every query answers no series."""
    with PrometheusServer() as server:
        yield server.url


def run(tmp_path: Path, connectors: list[dict[str, object]]) -> Incident:
    app = Nightowl(settings_for(tmp_path, connectors=connectors))
    app.launch()
    try:
        incident = page(app)
        (tmp_path / "page.html").write_text(incident_page(app, incident.id))
        return incident
    finally:
        app.shutdown()


def incident_page(app: Nightowl, incident_id: str) -> str:
    """The web UI's incident page, as ``nightowl serve`` serves it (read with a bearer token)."""

    async def get() -> str:
        transport = httpx.ASGITransport(app=application(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            shown = await client.get(
                f"/ui/incidents/{incident_id}", headers={**auth("alice"), "Accept": "text/html"}
            )
            assert shown.status_code == 200, shown.text
            return shown.text

    return asyncio.run(get())


def test_no_data_source_leaves_every_hypothesis_untested_and_says_so(tmp_path: Path) -> None:
    incident = run(tmp_path, connectors=[])

    assert incident.status is IncidentStatus.ESCALATED
    assert incident.diagnosis is not None
    assert incident.diagnosis.root_cause is None
    assert incident.diagnosis.explanation.startswith("No data sources configured")
    assert incident.hypotheses, "the hypotheses weighed are still listed"
    statuses = {h.status for h in incident.hypotheses}
    assert statuses == {HypothesisStatus.UNTESTED}, statuses
    for h in incident.hypotheses:  # no claim read off zero data points ("did not rise")
        assert h.summary.endswith("not tested (no data source is configured)"), h.summary
        assert not h.refuting, h
    assert not incident.actions
    notes = [
        json.loads(line) for line in (tmp_path / "notifications.jsonl").read_text().splitlines()
    ]
    assert any("No data sources configured" in json.dumps(n) for n in notes), notes
    shown = (tmp_path / "page.html").read_text()
    assert "No data sources configured" in shown
    assert "no data sources configured: no hypothesis could be tested" in shown  # the status
    assert "investigate from the evidence below" not in shown
    assert "untested" in shown
    assert ">refuted<" not in shown
    reports = list((tmp_path / "reports").glob("*.md"))
    assert reports
    assert "No data sources configured" in reports[0].read_text()


def test_sources_that_return_nothing_are_named_and_leave_hypotheses_untested(
    tmp_path: Path, empty_prometheus: str
) -> None:
    prom = {"name": "prom", "kind": "prometheus", "url": empty_prometheus}
    incident = run(tmp_path, connectors=[prom])

    assert incident.diagnosis is not None
    assert incident.diagnosis.root_cause is None
    first = incident.diagnosis.explanation.splitlines()[0]
    assert first.startswith("No data gathered"), first
    assert "metrics: prom" in first
    assert {h.status for h in incident.hypotheses} == {HypothesisStatus.UNTESTED}
    assert all(
        "not tested (the data sources returned nothing)" in h.summary for h in incident.hypotheses
    )


def test_a_round_with_data_is_tested_as_before(tmp_path: Path) -> None:
    """The replayed bad deploy (metrics, logs, deploys) is diagnosed; nothing is untested."""
    app = Nightowl(settings_for(tmp_path))
    app.launch()
    try:
        incident = page(app)
    finally:
        app.shutdown()

    assert incident.diagnosis is not None
    assert incident.diagnosis.root_cause is not None
    assert HypothesisStatus.UNTESTED not in {h.status for h in incident.hypotheses}


def test_no_observations_count_as_nothing_gathered_with_no_sources() -> None:
    assert gathered_nothing(None)
    assert no_sources(None)
