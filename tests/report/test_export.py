"""Exporting the postmortem: what the report stage saved, else built from the incident now."""

from __future__ import annotations

from pathlib import Path

from nightowl.domain import IncidentStatus, Report
from nightowl.report.export import ReportFormat, export, postmortem
from nightowl.report.markdown import render
from nightowl.report.model import Postmortem
from nightowl.report.stage import model_path
from tests.report.test_markdown import T, incident


def test_an_incident_without_a_written_report_is_rendered_from_its_record() -> None:
    running = incident(status=IncidentStatus.INVESTIGATING, report=None, report_path=None)

    as_json = Postmortem.model_validate_json(export(running, ReportFormat.JSON))

    assert as_json.outcome.why == "the run has not finished yet"
    assert export(running, ReportFormat.MARKDOWN) == render(running)
    assert export(running, ReportFormat.HTML).startswith("<!DOCTYPE html>")


def test_the_saved_model_and_files_are_preferred(tmp_path: Path) -> None:
    path = tmp_path / "inc-0123456789ab.md"
    saved = postmortem(incident()).model_copy(update={"summary": "as the stage saw it"})
    model_path(path).write_text(saved.model_dump_json(), encoding="utf-8")
    path.with_suffix(".html").write_text("<!DOCTYPE html><p>kept</p>", encoding="utf-8")
    done = incident(
        report=Report(markdown="# kept", path=str(path), created_at=T), report_path=str(path)
    )

    assert postmortem(done).summary == "as the stage saw it"
    assert export(done, ReportFormat.MARKDOWN) == "# kept"
    assert export(done, ReportFormat.HTML) == "<!DOCTYPE html><p>kept</p>"
