"""The composition root: the one place that builds nightowl from its settings.

CLI, API and UI are thin adapters over ``Nightowl``. Nothing here runs at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dbos import DBOS, DBOSConfig
from pydantic import ValidationError

import nightowl
from nightowl import telemetry
from nightowl.actions.executor import Executor
from nightowl.actions.guard import GuardedDriver, killswitch_check
from nightowl.actions.ledger import Ledger, LedgerAware, SharedLedger
from nightowl.actions.protocol import ActionDriver
from nightowl.app.access import Act, Principal, allowed
from nightowl.app.background import Background
from nightowl.app.compose import Stores, build_pipeline
from nightowl.app.deploy_risk import DeployRisk
from nightowl.app.findings import ANCHOR, perform_approved
from nightowl.app.records import Records
from nightowl.app.watching import Watching
from nightowl.approvals.answers import answer
from nightowl.canary.analysis import CanaryAnalysis
from nightowl.canary.samples import SampleReader
from nightowl.clock import Clock, ClockAware, SystemClock
from nightowl.connectors.github import GitHub
from nightowl.connectors.protocols import DriverSource, TimeSource
from nightowl.connectors.sources import Sources
from nightowl.domain import (
    AlertGroup,
    ApprovalRequest,
    ApprovalStatus,
    Deploy,
    IncidentStatus,
    Matcher,
    Silence,
)
from nightowl.errors import ConfigError, InputError, NightowlError, NotFoundError
from nightowl.graph.refresh import Refresh, Refreshed
from nightowl.intake.service import Intake, IntakeResult
from nightowl.notify.broadcast import Broadcast
from nightowl.notify.protocol import Notifier
from nightowl.notify.routing import store_lookup, wrap
from nightowl.redaction import Redactor
from nightowl.registry import CONNECTORS, DRIVERS, NOTIFIERS, resolve
from nightowl.runbooks.book import Runbooks
from nightowl.runbooks.catalog import load_runbooks
from nightowl.settings import PluginConfig, Settings
from nightowl.sources.auth import authenticate
from nightowl.sources.bounds import parse_bounded
from nightowl.sources.registry import build_sources, get_source
from nightowl.store import IncidentStore
from nightowl.store.canary import CanaryStore
from nightowl.store.database import private_file
from nightowl.store.deploys import DeployLog, Recorded, RecordedDeploys
from nightowl.store.groups import GroupStore
from nightowl.store.ledger import LedgerStore
from nightowl.store.llm import LlmStore
from nightowl.store.silences import SilenceStore
from nightowl.workflow import canary, queues
from nightowl.workflow import watch as scheduling
from nightowl.workflow.dispatch import Dispatcher
from nightowl.workflow.engine import bind
from nightowl.workflow.messages import wake

if TYPE_CHECKING:
    from nightowl.agent.investigator import Investigator  # needs the optional llm extra

log = logging.getLogger(__name__)


class Nightowl:
    """One nightowl process: the store, the connectors and drivers, and the durable workflow."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = IncidentStore.open(settings.store_url, migrate=settings.store.migrate_on_open)
        self.stores = Stores.on(self.store, settings)
        self.audit, self.approvals = self.stores.audit, self.stores.approvals
        self.control = self.stores.control
        self.connectors = [(c.kind, self._connector(c)) for c in settings.connectors]
        self.deploy_log = DeployLog(self.store.engine)
        if not any(isinstance(c, RecordedDeploys) for _, c in self.connectors):
            # Deploys pushed by CI (POST /api/v1/deploys) are always evidence.
            self.connectors.append(("recorded", RecordedDeploys("recorded", self.deploy_log)))
        connectors = [c for _, c in self.connectors]
        recorded = [c for c in connectors if isinstance(c, TimeSource)]
        # The data's time (a replay's recorded time) for the pipeline that reads it; the wall
        # clock for what people answer and wait on (approvals), whatever the data's time is.
        self.wall: Clock = clock or SystemClock()
        self.clock = clock or (recorded[0].recorded_clock() if recorded else self.wall)
        self.records = Records(settings, self.stores, self.clock, self.wall)
        self.reads = Sources.of(connectors)
        self.runbooks = Runbooks(load_runbooks(settings.runbooks.paths))
        self.drivers = self._drivers(connectors)
        self.executor = Executor(
            self.drivers,
            settings.actions.routes,
            store=self.store,
            audit=self.audit,
            control=self.control,
            clock=self.clock,
            dry_run=settings.actions.dry_run,
        )
        self.notifiers = self._notifiers()
        self.broadcast = Broadcast(self.notifiers, self.store)
        self.deploy_risk = DeployRisk(
            self.records,
            self.reads.metrics,
            self.notifiers,
            [c for c in connectors if isinstance(c, GitHub)],
        )
        self.agent = self._agent()
        self.pipeline = build_pipeline(
            settings,
            stores=self.stores,
            sources=self.reads,
            executor=self.executor,
            runbooks=self.runbooks,
            broadcast=self.broadcast,
            clock=self.clock,
            agent=self.agent,
            wall=self.wall,
            knowledge=self.records.knowledge,
        )
        self._launched = False
        self._executor_id: str | None = None
        self._launched = self._traced = False
        self.sources = build_sources(settings)
        self.intake = Intake(
            settings.intake,
            GroupStore(self.store.engine),
            SilenceStore(self.store.engine),
            self.clock.now,
        )
        self.dispatcher = Dispatcher(self.intake, self.store, self.broadcast)
        self.canary = canary.CanaryPipeline(
            analysis=CanaryAnalysis(
                settings.canary, SampleReader(self.reads.metrics, settings.canary),
                CanaryStore(self.store.engine), self.audit, self.clock, self.wall,
            ),
            page=self._page_canary,
            resolved=self._resolved,
            clock=self.clock,
        )  # fmt: skip
        self.watching = Watching(self)
        self.background = Background(self)

    def _agent(self) -> Investigator | None:
        """The LLM agent, when ``llm.provider`` is set (it needs the optional llm extra)."""
        if self.settings.llm.provider == "none":
            return None
        from nightowl.agent.build import build_investigator

        r = self.reads
        return build_investigator(
            self.settings, LlmStore(self.store.engine), self.clock, metrics=r.metrics, logs=r.logs,
            deploys=r.deploys, cluster=r.cluster, topology=r.topology, tools=r.tools,
            runbooks=list(self.runbooks), redactor=self.redactor,
        )  # fmt: skip

    def _connector(self, config: PluginConfig) -> object:
        """Build one connector. Each connector class validates its own options in ``from_plugin``."""
        cls = resolve(CONNECTORS, config.kind, "connector")
        return cls.from_plugin(config, self.settings)

    def _drivers(self, connectors: list[object]) -> list[ActionDriver]:
        if self.settings.actions.driver != "simulated":
            raise ConfigError(
                f"unknown action driver {self.settings.actions.driver!r}; known: simulated",
                where="actions.driver",
            )
        # The simulated driver comes with a replay: the driver of the first world one can act on.
        worlds = [c.companion_driver() for c in connectors if isinstance(c, DriverSource)][:1]
        drivers: list[ActionDriver] = []
        for config in [*worlds, *self.settings.actions.drivers]:
            driver = resolve(DRIVERS, config.kind, "action driver").from_plugin(
                config, self.settings
            )
            if isinstance(driver, ClockAware):
                driver.use_clock(self.clock)
            if isinstance(driver, LedgerAware):  # what it applied, seen by every worker
                driver.use_ledger(self._shared_ledger)
            drivers.append(driver)
        # Policy wraps actions: every driver reads the kill switch immediately before each write.
        self._raw_drivers = drivers
        check = killswitch_check(self.control)
        return [GuardedDriver(d, check) for d in drivers]

    def _shared_ledger(self, scope: str, before: Ledger) -> SharedLedger:
        return SharedLedger(LedgerStore(self.store.engine, scope), before)

    def _notifiers(self) -> list[Notifier]:
        configs = self.settings.notify.notifiers or [
            PluginConfig(
                name="file", kind="file", path=str(self.settings.data_dir / "notifications.jsonl")
            )
        ]
        out: list[Notifier] = []
        for config in configs:
            cls = resolve(NOTIFIERS, config.kind, "notifier")
            options = _validate(cls.Config, config.options(), f"notify.notifiers.{config.name}")
            out.append(cls(config.name, options, self.clock))
        # Every notifier sits behind the routes (notify.routes), enriched and redacted.
        lookup = store_lookup(
            self.store,
            self.approvals,
            self.settings.ui.public_url,
            self.records.knowledge,
            self.stores.reports,
        )
        # One redactor knows every secret: of the settings, the connectors, drivers and notifiers.
        plugins = [c for _, c in self.connectors] + [*self._raw_drivers, *out]
        self.redactor = Redactor.from_settings(self.settings, *plugins)
        return wrap(out, self.settings.notify, lookup, self.clock.now, self.redactor)

    # safety: approvals and the kill switch (the API and CLI call these) -----------------------

    async def answer_approval(
        self, request_id: str, *, by: Principal, approve: bool, reason: str
    ) -> ApprovalRequest:
        """Record a human's answer, then wake the workflow. ForbiddenError unless ``by`` has the
        role (``Act.APPROVE``); AuthError unless they approve for the service (audited)."""
        await asyncio.to_thread(self._guard_answer, request_id, by, approve)
        decided = await asyncio.to_thread(
            answer,
            self.approvals,
            self.audit,
            self.settings,
            request_id,
            user=by.name,
            approve=approve,
            reason=reason,
            at=self.wall.now(),
        )
        await asyncio.to_thread(self._note_answer, decided)
        if decided.incident_id.startswith(ANCHOR):  # a finding's change: no workflow waits
            if decided.status is ApprovalStatus.APPROVED:
                await perform_approved(self, decided)
            return decided
        message = {"request": request_id, "status": decided.status.value, "by": by.name}
        await wake(
            decided.incident_id, message, system_url=None if self._launched else self._dbos_url()
        )
        return decided

    def _note_answer(self, decided: ApprovalRequest) -> None:
        """Who decided what and why, in the knowledge graph (after the answer is durable: a
        graph failure is logged and never loses the answer)."""
        try:
            self.records.knowledge.note_approval(decided, self.clock.now())
        except NightowlError as exc:
            log.warning("the knowledge graph did not record approval %s: %s", decided.id, exc)

    def _guard_answer(self, request_id: str, by: Principal, approve: bool) -> None:
        """Refuse (and audit, on the incident when the request exists) an answer from a role
        below approver, whether or not the request exists."""
        if allowed(by, Act.APPROVE):
            return
        incident_id = None
        with contextlib.suppress(NotFoundError):
            incident_id = self.records.approval(request_id).incident_id
        verb = "approve" if approve else "deny"
        self.records.guard(
            by, Act.APPROVE, kind="approval.refused", incident_id=incident_id,
            request=request_id, user=by.name, answer=verb,
        )  # fmt: skip

    def add_silence(
        self,
        matchers: tuple[Matcher, ...],
        starts_at: datetime,
        ends_at: datetime,
        by: Principal,
        comment: str,
    ) -> Silence:
        """A new silence by ``by`` (``Act.SILENCE``), in force for this process's intake at once.
        Audited."""
        self.records.guard(by, Act.SILENCE)
        silence = self.intake.add_silence(matchers, starts_at, ends_at, by.name, comment)
        self.records.audit_silence("silence-added", silence, by)
        return silence

    def expire_silence(self, silence_id: str, by: Principal) -> Silence:
        """End a silence now (``Act.SILENCE``). Audited."""
        self.records.guard(by, Act.SILENCE, silence=silence_id)
        silence = self.intake.expire_silence(silence_id)
        self.records.audit_silence("silence-expired", silence, by)
        return silence

    # lifecycle -------------------------------------------------------------------------------

    @property
    def executor_id(self) -> str:
        """This process's DBOS executor id: configured, else ``local`` for a lone ``all``
        process (DBOS resumes its own workflows when it starts again), else unique per process."""
        cluster = self.settings.cluster
        if cluster.executor_id:
            return cluster.executor_id
        if cluster.role == "all":
            return "local"
        if self._executor_id is None:
            self._executor_id = f"{cluster.role}-{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        return self._executor_id

    def launch(self) -> None:
        """Bind the pipeline and start DBOS, which also resumes workflows cut short by a crash;
        register the queues and listen to those of this process's role."""
        bind(self.pipeline)
        scheduling.bind_runner(self.watching.scheduled)
        canary.bind(self.canary)
        self._traced = telemetry.install(self.settings.tracing)
        config: DBOSConfig = {
            "name": "nightowl",
            "system_database_url": self._dbos_url(),
            "application_version": self.settings.store.application_version or nightowl.__version__,
            "executor_id": self.executor_id,
            "log_level": "WARNING",
        }
        DBOS(config=config)
        queues.listen(self.settings.cluster.role)
        DBOS.launch()
        self._launched = True
        scheduling.apply(self.settings.watchers)
        queues.register(self.settings.cluster)

    def shutdown(self) -> None:
        self.anchor_audit()
        if self._launched:
            DBOS.destroy(destroy_registry=False)
            self._launched = False
            # A workflow whose event loop ended before it did (an embedded run, a test) is a
            # pending coroutine nobody awaits; finalize it now, while no DBOS is launched, so
            # its last write fails here instead of landing in the next instance's database
            # (incident ids are deterministic: the next run may have the same workflow id).
            gc.collect()
        if self._traced:
            telemetry.shutdown()  # flushes the spans still buffered
            self._traced = False
        bind(None)
        scheduling.bind_runner(None)
        canary.bind(None)
        self.stores.close()

    def _dbos_url(self) -> str:
        url = self.settings.store_url
        if url.startswith("sqlite"):
            path = self.settings.data_dir / "workflows.sqlite"
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            private_file(path)  # DBOS would create it with the umask's mode (0644)
            return f"sqlite:///{path}"
        return url

    # deploys ---------------------------------------------------------------------------------

    async def record_deploy(self, deploy: Deploy, how: str = "push") -> Recorded:
        """Keep a pushed (or discovered) deploy, idempotent, and the first time start its canary
        analysis (``canary.enabled``; it needs the launched workflow engine, as the server runs it)."""
        recorded = await asyncio.to_thread(self.records.record_deploy, deploy, how)
        if recorded.created and self.settings.canary.enabled:
            if self._launched:
                await canary.start_canary(recorded.deploy)
            else:
                log.warning(
                    "deploy %s recorded without canary analysis: DBOS is not launched", recorded.id
                )
        return recorded

    async def _page_canary(self, group: AlertGroup) -> str | None:
        """A failed canary analysis's page, through intake like any alert."""
        return (await self._ingest(group)).incident_id

    async def _resolved(self, incident_id: str) -> bool:
        incident = await asyncio.to_thread(self.store.get, incident_id)
        return incident.status is IncidentStatus.RESOLVED

    # intake ----------------------------------------------------------------------------------

    def authenticate(self, source: str, headers: Mapping[str, str], body: bytes = b"") -> str:
        """Check a request's credentials for ``source``; return who sent it. Raises AuthError."""
        parser = self.sources.get(source)
        return authenticate(parser, source, self.settings, headers, body)

    async def receive(self, source: str, body: bytes, headers: Mapping[str, str]) -> IntakeResult:
        """Authenticate, parse and record a notification; flush its group when due. InputError → caller."""
        parser = get_source(self.sources, source)
        authenticate(parser, source, self.settings, headers, body)
        return await self.accept(source, body, headers)

    async def accept(self, source: str, body: bytes, headers: Mapping[str, str]) -> IntakeResult:
        """Parse, bound and record a notification whose sender the caller has authenticated."""
        parser = get_source(self.sources, source)
        return await self._ingest(
            parse_bounded(parser, body, headers, self.settings.webhooks.limits)
        )

    async def replay(self, dead_letter_id: int, *, by: str) -> IntakeResult:
        """Re-run a dead letter through parsing and intake (after a config fix).

        It is re-checked first: it must have been kept for an authenticated sender (the
        credentials themselves are never kept), its source must still exist, and its body must
        pass today's parsing and bounds. InputError or NotFoundError otherwise. A replay is
        audited (``deadletter.replay``, by ``by``).
        """
        letter = self.store.get_dead_letter(dead_letter_id)
        if letter.sender is None:
            raise InputError(
                f"dead letter {dead_letter_id} was not kept for an authenticated sender, so it is "
                "not replayed; ask the sender to send it again"
            )
        result = await self.accept(letter.source, letter.body, letter.headers)
        self.store.mark_replayed(dead_letter_id, self.wall.now())
        data = {"dead_letter_id": dead_letter_id, "source": letter.source, "sender": letter.sender}
        data |= {"new_alerts": result.new_alerts, "incidents": list(result.incidents)}
        self.audit.append(None, "deadletter.replay", data, actor=by, at=self.wall.now())
        return result.model_copy(
            update={"detail": f"replayed dead letter {dead_letter_id}: {result.detail}"}
        )

    async def accept_group(self, group: AlertGroup) -> IntakeResult:
        """Record an alert group nightowl raised itself (a watcher's finding) through intake."""
        return await self._ingest(group)

    async def _ingest(self, group: AlertGroup) -> IntakeResult:
        telemetry.meters.observe(telemetry.meters.INTAKE_BATCH, len(group.alerts))
        submitted = await self.intake.submit(group)
        # With group_wait 0 a group is due at once and is flushed here; otherwise the dispatcher does it.
        wait = self.settings.intake.group_wait_seconds
        flushed = await self.dispatcher.flush(submitted.due_groups if wait == 0 else ())
        if submitted.all_resolved:
            await self.dispatcher.resolved(submitted.all_resolved)
        incidents = sorted(
            set(submitted.incidents) | {r.incident_id for r in flushed if r.incident_id}
        )
        counts = submitted.counts
        if incidents:
            detail = f"recorded on {', '.join(incidents)}"
        elif counts.new or counts.updated:
            detail = f"recorded; the group opens an incident after group_wait ({wait:g}s)"
        else:
            detail = "nothing new: every alert was a duplicate"
        return IntakeResult(
            incident_id=incidents[0] if incidents else None,
            incidents=tuple(incidents),
            created=any(r.kind == "opened" for r in flushed),
            received=counts.received,
            new_alerts=counts.new,
            updated=counts.updated,
            duplicates=counts.duplicates,
            detail=detail,
        )

    async def start_background(self) -> None:
        """Start the background tasks a server runs (``app/background.py``)."""
        await self.background.start()

    async def stop_background(self) -> None:
        """Stop them, drain the intake writer and anchor the audit head."""
        await self.background.stop()

    async def refresh_graph(self) -> list[Refreshed]:
        """Read the config's and every connector's current view into the knowledge graph."""
        timeout = self.settings.gather.call_timeout_seconds
        discovered = (
            self.background.discovered if self.settings.canary.enabled and self._launched else None
        )
        refresh = Refresh(self.reads, self.settings.graph, self.stores.graph, timeout, discovered)
        return await refresh.run(self.clock.now())

    def anchor_audit(self) -> None:
        """Anchor the audit head outside the database (a failure is logged: the next tick or
        start anchors it)."""
        try:
            self.audit.anchor()
        except NightowlError as exc:  # the next tick (or the next start) anchors it
            log.warning("the audit head was not anchored: %s", exc)


def _validate(model: Any, options: dict[str, Any], where: str) -> Any:
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", where=where) from None
