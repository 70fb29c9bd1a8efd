"""The postmortem exported in the formats teams keep postmortems in: Markdown (Git, Confluence,
wikis), the self-contained HTML page, and JSON (the typed ``Postmortem`` model).

What the report stage wrote is preferred (it saw the observations, the approvals and the audit
trail); an incident whose report is not written yet (its run has not ended) or was written before
the model was saved beside it is rendered from the incident record alone.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from nightowl.domain import Incident
from nightowl.report import charts
from nightowl.report.html import render_html
from nightowl.report.markdown import render
from nightowl.report.model import Postmortem
from nightowl.report.postmortem import build
from nightowl.report.stage import load_model


class ReportFormat(StrEnum):
    """An export format of the postmortem."""

    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


MEDIA_TYPES = {
    ReportFormat.MARKDOWN: "text/markdown; charset=utf-8",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.JSON: "application/json",
}


def postmortem(incident: Incident) -> Postmortem:
    """The model the report stage saved, else one built from the incident now."""
    saved = load_model(Path(incident.report_path)) if incident.report_path else None
    return saved if saved is not None else build(incident)


def export(incident: Incident, fmt: ReportFormat) -> str:
    """The postmortem of ``incident`` as text in ``fmt``."""
    if fmt is ReportFormat.JSON:
        return postmortem(incident).model_dump_json(indent=2)
    markdown = incident.report.markdown if incident.report else render(incident)
    if fmt is ReportFormat.MARKDOWN:
        return markdown
    path = Path(incident.report_path) if incident.report_path else None
    if path is not None and (page := path.with_suffix(".html")).is_file():
        return page.read_text(encoding="utf-8")
    drawn = charts.load(charts.chart_path(path)) if path is not None else []
    return render_html(incident, drawn, markdown=markdown)
