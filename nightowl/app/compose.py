"""Building the pipeline: every stage with exactly the dependencies it needs.

Stage packages never import each other; where a stage needs another package's capability it names
a port (``nightowl.domain.ports``), and this module hands it the owner's implementation: the
executor (actions) previews for the gate and the approvals and undoes for verify, the runbooks
answer the gate and verify, the broadcast (notify) pages for the approvals, the LLM agent (when
configured) gives diagnose its second opinion and the report its narrative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nightowl.actions.executor import Executor
from nightowl.actions.stage import Act
from nightowl.analysis.stages import Analyze, Diagnose, Triage
from nightowl.analysis.taxonomy import load_taxonomy, taxonomy_dirs
from nightowl.approvals.stage import Approve
from nightowl.clock import Clock
from nightowl.connectors.gather import Gather
from nightowl.connectors.sources import Sources
from nightowl.domain import Stage, StageName
from nightowl.domain.ports import Knowledge
from nightowl.notify.broadcast import Broadcast
from nightowl.notify.stage import Notify
from nightowl.policy.cedar import CedarRules
from nightowl.policy.stage import Gate
from nightowl.report.stage import WriteReport
from nightowl.runbooks.book import Runbooks
from nightowl.runbooks.stage import Plan
from nightowl.settings import Settings
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from nightowl.store.audit import AuditLog
from nightowl.store.audit_anchor import AnchorFile
from nightowl.store.audit_key import KeySource
from nightowl.store.control import ControlStore
from nightowl.store.findings import FindingStore
from nightowl.store.graph import GraphStore
from nightowl.store.memory import MemoryStore
from nightowl.store.observations import ObservationStore
from nightowl.store.reports import ReportDocuments
from nightowl.store.revocations import RevocationStore
from nightowl.store.traces import TraceStore
from nightowl.verify.recheck import ResolutionCheck
from nightowl.verify.stage import Verify
from nightowl.watchers.pricing import PriceTable
from nightowl.workflow.engine import Pipeline
from nightowl.workflow.queues import lanes

if TYPE_CHECKING:
    from nightowl.agent.investigator import Investigator  # needs the optional llm extra


@dataclass(frozen=True)
class Stores:
    """The stores of one process, all on the incident store's engine (one database, one pool)."""

    incidents: IncidentStore
    audit: AuditLog
    approvals: ApprovalStore
    control: ControlStore
    observations: ObservationStore
    graph: GraphStore
    memory: MemoryStore
    reports: ReportDocuments
    revocations: RevocationStore
    findings: FindingStore
    traces: TraceStore

    @classmethod
    def on(cls, store: IncidentStore, settings: Settings) -> Stores:
        """The stores on ``store``'s engine; the audit trail prepared (its key loaded, unkeyed
        records re-chained). Raises ConfigError when the audit key is missing or unusable."""
        engine = store.engine
        audit = settings.audit
        keys = KeySource(
            settings.audit_key_file, audit.key.get_secret_value() if audit.key else None
        )
        trail = AuditLog(
            engine, keys, AnchorFile(settings.audit_anchor_file), every=audit.anchor_every
        )
        trail.prepare()
        return cls(
            incidents=store,
            audit=trail,
            approvals=ApprovalStore(engine),
            control=ControlStore(engine),
            observations=ObservationStore(engine),
            graph=GraphStore(engine),
            traces=TraceStore(engine),
            memory=MemoryStore.open(settings.memory.url)
            if settings.memory.url
            else MemoryStore(engine),
            reports=ReportDocuments(engine),
            revocations=RevocationStore(engine),
            findings=FindingStore(engine),
        )

    def close(self) -> None:
        """Dispose of the engines (the memory's too when it has a database of its own)."""
        if self.memory.sessions.engine is not self.incidents.engine:
            self.memory.close()
        self.incidents.close()


def build_pipeline(
    settings: Settings,
    *,
    stores: Stores,
    sources: Sources,
    executor: Executor,
    runbooks: Runbooks,
    broadcast: Broadcast,
    clock: Clock,
    agent: Investigator | None = None,
    wall: Clock | None = None,
    knowledge: Knowledge | None = None,
) -> Pipeline:
    """The eleven stages, wired, and the engine's own needs. ``clock`` is the time of the data
    the stages read (a replay's recorded time); ``wall`` (default: ``clock``) the time people
    live in, which approvals keep: a request's expiry and its wait are real minutes, not the
    recording's, which a replay's skipped sleeps move ahead."""
    store, gather = stores.incidents, settings.gather
    taxonomy = load_taxonomy(taxonomy_dirs(settings.runbooks.paths))
    stages: list[Stage] = [
        Triage(store),
        Gather(sources, gather, clock, knowledge),
        Analyze(taxonomy, store, stores.findings),
        Diagnose(
            settings.analysis,
            taxonomy,
            logs=sources.logs,
            opinion=agent,
            store=store,
            clock=clock,
            memory=stores.memory,
            memory_settings=settings.memory,
        ),
        Plan(runbooks, store),
        Gate(
            settings.policy,
            CedarRules.load(settings.policy.cedar),
            previewer=executor,
            runbooks=runbooks,
            store=store,
            control=stores.control,
            audit=stores.audit,
            clock=clock,
            knowledge=knowledge,
        ),
        Approve(
            settings.approvals,
            requests=stores.approvals,
            previewer=executor,
            pager=broadcast,
            store=store,
            audit=stores.audit,
            clock=wall or clock,
            pricing=PriceTable(settings.cost),
        ),
        Act(executor, store, clock),
        Verify(
            settings.verify,
            gather.step_seconds,
            metrics=sources.metrics,
            runbooks=runbooks,
            remedies=executor,
            store=store,
            audit=stores.audit,
            clock=clock,
        ),
        WriteReport(
            settings.reports_dir,
            metrics=sources.metrics,
            gather=gather,
            settings=settings.report,
            public_url=settings.ui.public_url,
            narrator=agent,
            store=store,
            documents=stores.reports,
            approvals=stores.approvals,
            audit=stores.audit,
            clock=clock,
            knowledge=knowledge,
            memory=stores.memory,
            memory_settings=settings.memory,
            trace_url=settings.tracing.ui_url,
        ),
        Notify(broadcast, knowledge),
    ]
    by_name: dict[StageName, Stage] = {stage.name: stage for stage in stages}
    return Pipeline(
        stages=by_name,
        store=store,
        observations=stores.observations,
        traces=stores.traces,
        resolution=ResolutionCheck(
            settings.verify, gather.step_seconds, metrics=sources.metrics, store=store, clock=clock
        ),
        broadcast=broadcast,
        clock=clock,
        look_again_seconds=settings.analysis.look_again_seconds,
        lanes=lanes(llm=agent is not None),
    )
