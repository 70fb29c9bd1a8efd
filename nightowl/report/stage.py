"""The report stage: write the post-incident report, as Markdown and as one HTML file with charts.

Then the finished incident is kept in incident memory (``store/memory.py``), which the diagnose
stage of later incidents recalls. The report needs no LLM; with one configured, its narrative is added (the ``Narrator`` port). The
key metrics are captured once, beside the report (``<id>.charts.json``), so the charts outlive the
metrics backend's retention.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from nightowl.clock import Clock
from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Incident, Report, StageContext, StageName, StageResult
from nightowl.domain.memory import memory_of
from nightowl.domain.ports import Narrator
from nightowl.errors import StoreError
from nightowl.report import charts
from nightowl.report.html import render_html, with_narrative
from nightowl.report.markdown import render
from nightowl.settings import GatherSettings, MemorySettings
from nightowl.store import IncidentStore
from nightowl.store.memory import MemoryStore

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
        memory: MemoryStore | None = None,
        memory_settings: MemorySettings | None = None,
    ) -> None:
        self.reports_dir, self.metrics, self.gather = reports_dir, list(metrics), gather
        self.narrator, self.store, self.clock = narrator, store, clock
        self.memory, self.memory_settings = memory, memory_settings or MemorySettings()

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
        remembered = self._remember(incident)
        return StageResult(
            summary=f"{remembered}written to {path} and {page.name} ({len(drawn)} charts)"
        )

    def _remember(self, incident: Incident) -> str:
        """Keep the finished incident in memory and drop what is past retention. A memory that
        cannot be written costs the report nothing: it is logged and said in the summary."""
        if self.memory is None or not self.memory_settings.enabled:
            return ""
        now = self.clock.now()
        try:
            self.memory.remember(memory_of(incident), now)
            self.memory.forget_before(now - timedelta(days=self.memory_settings.retention_days))
        except StoreError as exc:
            log.warning("incident %s not remembered: %s", incident.id, exc)
            return f"not remembered ({exc}); "
        return ""
