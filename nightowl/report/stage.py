"""The report stage: write the post-incident report, as Markdown and as one HTML file with charts.

The report needs no LLM; with one configured, its narrative is added (the ``Narrator`` port). The
key metrics are captured once, beside the report (``<id>.charts.json``), so the charts outlive the
metrics backend's retention.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from nightowl.clock import Clock
from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Incident, Report, StageContext, StageName, StageResult
from nightowl.domain.graph import ServiceCard
from nightowl.domain.ports import Knowledge, Narrator
from nightowl.errors import NightowlError
from nightowl.report import charts
from nightowl.report.html import render_html, with_narrative
from nightowl.report.markdown import render
from nightowl.report.people import with_people
from nightowl.settings import GatherSettings
from nightowl.store import IncidentStore

log = logging.getLogger(__name__)


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
        knowledge: Knowledge | None = None,
    ) -> None:
        self.reports_dir, self.metrics, self.gather = reports_dir, list(metrics), gather
        self.narrator, self.store, self.clock = narrator, store, clock
        self.knowledge = knowledge

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Write the report as Markdown, its charts and the self-contained HTML page; with an
        LLM, its narrative is added to the Markdown.
        """
        narrative = await self.narrator.narrate(incident) if self.narrator is not None else None
        markdown = with_people(with_narrative(render(incident), narrative), self._cards(incident))
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

    def _cards(self, incident: Incident) -> list[ServiceCard]:
        """Record the incident in the knowledge graph and read the cards of the services it
        touched (one call away); none when there is no graph or it cannot be used."""
        if self.knowledge is None:
            return []
        now = self.clock.now()
        services = dict.fromkeys(
            filter(None, [incident.service, *(a.service for a in incident.plan)])
        )
        try:
            self.knowledge.note_incident(incident, now)
            return [self.knowledge.card(s, now, hops=1) for s in services]
        except NightowlError as exc:  # the report is written without the section
            log.warning("the knowledge graph could not be used for %s: %s", incident.id, exc)
            return []
