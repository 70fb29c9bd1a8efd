"""The postmortem exported in the formats teams keep postmortems in: Markdown (Git, Confluence,
wikis), the self-contained HTML page, and JSON (the typed ``Postmortem`` model).

What the report stage wrote is preferred (it saw the observations, the approvals and the audit
trail): its documents in the store (``documents``, from ``store/reports.py``), else the files
beside the report of a version that kept them only on disk; an incident whose report is not written yet (its run has not ended) or was written before
the model was saved beside it is rendered from the incident record alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from nightowl.domain import Incident
from nightowl.report import charts
from nightowl.report.charts import Chart
from nightowl.report.html import render_html
from nightowl.report.markdown import render
from nightowl.report.model import Postmortem
from nightowl.report.postmortem import build
from nightowl.report.stage import load_model, stored_model
from nightowl.store.reports import CHARTS, HTML


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


def postmortem(incident: Incident, documents: Mapping[str, str] | None = None) -> Postmortem:
    """The model the report stage saved, else one built from the incident now."""
    saved = stored_model(documents or {})
    if saved is None and incident.report_path:
        saved = load_model(Path(incident.report_path))
    return saved if saved is not None else build(incident)


def saved_charts(incident: Incident, documents: Mapping[str, str] | None = None) -> list[Chart]:
    """The charts captured with the report (stored, else beside an older report's file)."""
    drawn = charts.parse((documents or {}).get(CHARTS))
    if not drawn and incident.report_path:
        drawn = charts.load(charts.chart_path(Path(incident.report_path)))
    return drawn


def saved_page(incident: Incident, documents: Mapping[str, str] | None = None) -> str | None:
    """The HTML page the report stage wrote, if there is one."""
    if page := (documents or {}).get(HTML):
        return page
    path = Path(incident.report_path).with_suffix(".html") if incident.report_path else None
    return path.read_text(encoding="utf-8") if path is not None and path.is_file() else None


def export(
    incident: Incident, fmt: ReportFormat, documents: Mapping[str, str] | None = None
) -> str:
    """The postmortem of ``incident`` as text in ``fmt``; ``documents``: its stored ones."""
    if fmt is ReportFormat.JSON:
        return postmortem(incident, documents).model_dump_json(indent=2)
    markdown = incident.report.markdown if incident.report else render(incident)
    if fmt is ReportFormat.MARKDOWN:
        return markdown
    page = saved_page(incident, documents)
    if page is not None:
        return page
    return render_html(incident, saved_charts(incident, documents), markdown=markdown)
