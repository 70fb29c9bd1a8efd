"""The report stage: write the postmortem as Markdown, as one HTML file with charts, and as JSON.

Every document is kept in the store (the Markdown on the incident, the rest in
``store/reports.py``), so any replica serves a report another one wrote; the files under
``<data_dir>/reports`` are a local copy for the person at the machine.

One model (``model.Postmortem``, built by ``postmortem.build`` from the incident, the round's
observations, the approval requests and the audit trail) renders to Markdown and from that to
HTML; the JSON beside them (``<id>.postmortem.json``) is the model itself, what ``nightowl
incidents report --format json`` and the API export. The report needs no LLM; with one configured,
its narrative is added (the ``Narrator`` port). The key metrics are captured once, beside the
report (``<id>.charts.json``), so the charts outlive the metrics backend's retention.
Then the finished incident is kept in incident memory (``store/memory.py``), which the diagnose
stage of later incidents recalls.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path

from nightowl.clock import Clock
from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Incident, Report, StageContext, StageName, StageResult
from nightowl.domain.graph import ServiceCard
from nightowl.domain.memory import memory_of
from nightowl.domain.ports import Knowledge, Narrator
from nightowl.errors import NightowlError, StoreError
from nightowl.report import charts
from nightowl.report.html import render_html
from nightowl.report.markdown import render_postmortem
from nightowl.report.model import Postmortem
from nightowl.report.people import with_people
from nightowl.report.postmortem import Sources, build
from nightowl.settings import GatherSettings, MemorySettings, ReportSettings
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from nightowl.store.audit import AuditLog
from nightowl.store.memory import MemoryStore
from nightowl.store.reports import CHARTS, HTML, MODEL, ReportDocuments
from nightowl.telemetry import current_trace_id, trace_url

HUMAN_KINDS = ("approval.", "access.")
"""Audit records a person leaves on an incident (answers, refused attempts); the rest are
nightowl's own (policy decisions, driver actions, verification)."""


def model_path(report_path: Path) -> Path:
    """Where a report's model is kept: beside it, as ``<report>.postmortem.json``."""
    return report_path.with_suffix(".postmortem.json")


def load_model(report_path: Path) -> Postmortem | None:
    """The model saved beside ``report_path``; None if missing or unreadable (an older report)."""
    try:
        return Postmortem.model_validate_json(model_path(report_path).read_bytes())
    except (OSError, ValueError):
        return None


def stored_model(documents: Mapping[str, str]) -> Postmortem | None:
    """The model among a report's stored documents; None if absent or unreadable."""
    try:
        return Postmortem.model_validate_json(documents[MODEL])
    except (KeyError, ValueError):
        return None


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
        settings: ReportSettings,
        public_url: str | None,
        narrator: Narrator | None,
        store: IncidentStore,
        documents: ReportDocuments,
        approvals: ApprovalStore,
        audit: AuditLog,
        clock: Clock,
        knowledge: Knowledge | None = None,
        memory: MemoryStore | None = None,
        memory_settings: MemorySettings | None = None,
        trace_url: str | None = None,
    ) -> None:
        """``trace_url``: ``tracing.ui_url``, the link template of the incident's trace."""
        self.reports_dir, self.metrics, self.gather = reports_dir, list(metrics), gather
        self.trace_url = trace_url
        self.settings, self.public_url = settings, public_url
        self.narrator, self.store, self.clock = narrator, store, clock
        self.approvals, self.audit, self.documents = approvals, audit, documents
        self.knowledge = knowledge
        self.memory, self.memory_settings = memory, memory_settings or MemorySettings()

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Build the postmortem, write it as Markdown, JSON and the self-contained HTML page
        with its charts, and record it on the incident."""
        narrative = await self.narrator.narrate(incident) if self.narrator is not None else None
        report = build(incident, await self._sources(ctx, incident, narrative))
        markdown = with_people(render_postmortem(report), self._cards(incident))
        drawn = await charts.capture(
            self.metrics,
            incident,
            self.clock.now(),
            self.gather.step_seconds,
            self.gather.call_timeout_seconds,
        )
        documents = {
            MODEL: report.model_dump_json(indent=2),
            CHARTS: charts.dump(drawn),
            HTML: render_html(incident, drawn, markdown=markdown),
        }
        self.documents.put(incident.id, documents, self.clock.now())
        path = self.reports_dir / f"{incident.id}.md"
        page = path.with_suffix(".html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        model_path(path).write_text(documents[MODEL], encoding="utf-8")
        charts.chart_path(path).write_text(documents[CHARTS], encoding="utf-8")
        page.write_text(documents[HTML], encoding="utf-8")
        self.store.save_report(
            incident.id, Report(markdown=markdown, path=str(path), created_at=self.clock.now())
        )
        remembered = self._remember(incident)
        return StageResult(
            summary=f"{report.outcome.status.value}: {remembered}written to {path} and "
            f"{page.name} ({len(drawn)} charts)"
        )

    async def _sources(
        self, ctx: StageContext, incident: Incident, narrative: str | None
    ) -> Sources:
        """What the report reads besides the incident; a store that fails to answer leaves its
        part out (the report is still written)."""
        try:
            asked = self.approvals.list(incident_id=incident.id)
            actors = [
                (r.actor, r.kind.replace(".", " "))
                for r in self.audit.records(incident_id=incident.id)
                if r.kind.startswith(HUMAN_KINDS)
            ]
        except NightowlError:
            asked, actors = [], []
        return Sources(
            observations=await ctx.observations(),
            approvals=asked,
            actors=actors,
            settings=self.settings,
            public_url=self.public_url,
            narrative=narrative,
            trace=_trace(self.trace_url),
        )

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


def _trace(template: str | None) -> tuple[str, str | None] | None:
    """The trace this run is part of (the report is written inside it) and its link."""
    trace_id = current_trace_id()
    return (trace_id, trace_url(template, trace_id)) if trace_id else None
