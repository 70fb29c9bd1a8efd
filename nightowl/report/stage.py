"""The report stage: write the post-incident report, as Markdown and as one HTML file with charts.

The report needs no LLM; with one configured, its narrative is added (the ``Narrator`` port). The
key metrics are captured once, beside the report (``<id>.charts.json``), so the charts outlive the
metrics backend's retention.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nightowl.clock import Clock
from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Incident, Report, StageContext, StageName, StageResult
from nightowl.domain.ports import Narrator
from nightowl.report import charts
from nightowl.report.html import render_html, with_narrative
from nightowl.report.markdown import render
from nightowl.settings import GatherSettings
from nightowl.store import IncidentStore


class WriteReport:
    """The report stage; see the module docstring."""

    name = StageName.REPORT

    def __init__(
        self,
        reports_dir: Path,
        *,
        metrics: Sequence[MetricsSource],
        gather: GatherSettings,
        narrator: Narrator | None,
        store: IncidentStore,
        clock: Clock,
    ) -> None:
        self.reports_dir, self.metrics, self.gather = reports_dir, list(metrics), gather
        self.narrator, self.store, self.clock = narrator, store, clock

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Write the report as Markdown, its charts and the self-contained HTML page; with an
        LLM, its narrative is added to the Markdown.
        """
        narrative = await self.narrator.narrate(incident) if self.narrator is not None else None
        markdown = with_narrative(render(incident), narrative)
        path = self.reports_dir / f"{incident.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        drawn = await charts.capture(
            self.metrics,
            incident,
            self.clock.now(),
            self.gather.step_seconds,
            self.gather.call_timeout_seconds,
        )
        charts.save(charts.chart_path(path), drawn)
        page = path.with_suffix(".html")
        page.write_text(render_html(incident, drawn, markdown=markdown), encoding="utf-8")
        self.store.save_report(
            incident.id, Report(markdown=markdown, path=str(path), created_at=self.clock.now())
        )
        return StageResult(summary=f"written to {path} and {page.name} ({len(drawn)} charts)")
