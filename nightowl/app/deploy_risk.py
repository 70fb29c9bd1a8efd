"""The deploy risk use case: gather what is known at deploy time, score it, audit it, and tell the
service's owners when the answer is ``delay``.

The caller gives the deploy and what it knows of the change and the build (``AssessRequest``);
this reads the rest: the service's history and open incidents from the store, the freeze windows
from the policy, its dependents and owners from the knowledge graph, and traffic and error budget
from the first metrics source (when ``deploy_risk`` configures queries); and, when the caller
gives no diff but a commit and its base, the diff from the service's GitHub connector (compare). An input that cannot be
read is an absent reason that says why, never a failed assessment. ``nightowl.deployrisk.score``
turns the inputs into the answer. Every assessment is audited (``deploy.assess``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from nightowl.app.access import Act, Principal
from nightowl.app.records import Records
from nightowl.connectors.github import GitHub
from nightowl.connectors.protocols import MetricsSource
from nightowl.deployrisk import signals
from nightowl.deployrisk.change import classified
from nightowl.deployrisk.history import history_of
from nightowl.deployrisk.model import (
    MAX_FILES,
    Assessment,
    AssessRequest,
    Budget,
    Change,
    FileChange,
    History,
    Recommendation,
    RiskInputs,
    Traffic,
)
from nightowl.deployrisk.score import assess
from nightowl.domain import IncidentStatus, utc
from nightowl.errors import NightowlError
from nightowl.notify.protocol import Notifier
from nightowl.notify.routing import Notice
from nightowl.policy.freeze import active_freeze

log = logging.getLogger(__name__)
MAX_INCIDENTS_READ = 10_000
MAX_DEPLOYS_READ = 10_000
CLOSED = frozenset({IncidentStatus.RESOLVED})


class DeployRisk:
    """Assesses deploys over one Records (and, optionally, metrics and notifiers). Safe to share;
    raises ForbiddenError (audited) when the caller may not assess, StoreError when the store
    cannot be read."""

    def __init__(
        self,
        records: Records,
        metrics: Sequence[MetricsSource] = (),
        notifiers: Sequence[Notifier] = (),
        repos: Sequence[GitHub] = (),
    ) -> None:
        self.records, self.metrics, self.notifiers = records, tuple(metrics), tuple(notifiers)
        self.repos = tuple(repos)
        self.settings = records.settings.deploy_risk

    async def assess(self, request: AssessRequest, by: Principal) -> Assessment:
        """Score ``request`` as ``by``; audited, and sent to the owners when it is ``delay``. The
        store and the graph are read in worker threads (the event loop is the API's)."""
        self.records.guard(by, Act.ASSESS_DEPLOY)
        inputs = await self.inputs(request)
        result = assess(inputs)
        notified: tuple[str, ...] = ()
        if result.recommendation is Recommendation.DELAY and self.settings.notify_on_delay:
            owners = await asyncio.to_thread(self._owners, request.service)
            notified = await self._notify(result, owners)
        data = {
            "service": result.service, "version": result.version, "commit": request.commit,
            "at": result.at.isoformat(), "score": result.score,
            "recommendation": result.recommendation.value, "via": by.via,
            "points": {r.factor: r.points for r in result.reasons}, "notified": list(notified),
        }  # fmt: skip
        record = await asyncio.to_thread(self.records.audit, "deploy.assess", data, actor=by.name)
        return result.model_copy(update={"audit_id": record.seq, "notified": notified})

    async def inputs(self, request: AssessRequest) -> RiskInputs:
        """Everything the score reads, as it stands at the request's time."""
        at = utc(request.at) if request.at is not None else self.records.clock.now()
        unavailable: dict[str, str] = {}
        history, open_now = await asyncio.to_thread(self._store_facts, request.service, at)
        traffic = budget = None
        source = self.metrics[0] if self.metrics else None
        if source is None:
            unavailable |= {"traffic": "no metrics source configured"}
            unavailable |= {"error budget": "no metrics source configured"}
        else:
            traffic, budget = await self._now(source, request.service, at, unavailable)
        change = request.change or await self._compare(request, unavailable)
        if change is not None:
            change = change.model_copy(update={"files": classified(change.files)})
        return RiskInputs(
            service=request.service,
            version=request.version,
            at=at,
            change=change,
            tests=request.tests,
            coverage=request.coverage,
            history=history,
            open_incidents=open_now,
            traffic=traffic,
            budget=budget,
            freeze=self._freeze(request.service, at),
            dependents=await asyncio.to_thread(self._dependents, request.service, unavailable),
            unavailable=unavailable,
        )

    def _store_facts(self, service: str, at: datetime) -> tuple[History, tuple[str, ...]]:
        s = self.settings
        since = at - timedelta(days=s.history_days)
        incidents = self.records.stores.incidents.list(
            limit=MAX_INCIDENTS_READ, service=service, since=since - timedelta(days=1)
        )
        deploys = self.records.deploys(service, since, at, MAX_DEPLOYS_READ)
        history = history_of(
            (d.at for d in deploys),
            (i.opened_at for i in incidents),
            at,
            window_hours=s.incident_window_hours,
            days=s.history_days,
            recent_days=s.recent_incident_days,
        )
        open_now = tuple(i.id for i in incidents if i.status not in CLOSED and i.opened_at <= at)
        return history, open_now

    async def _now(
        self, source: MetricsSource, service: str, at: datetime, unavailable: dict[str, str]
    ) -> tuple[Traffic | None, Budget | None]:
        traffic = budget = None
        try:
            traffic = await signals.traffic(source, self.settings, service, at)
        except NightowlError as exc:
            unavailable["traffic"] = f"the traffic query failed on {source.name}: {exc}"
        try:
            budget = await signals.budget(source, self.settings, service, at)
        except NightowlError as exc:
            unavailable["error budget"] = f"the error-ratio query failed on {source.name}: {exc}"
        if traffic is None and self.settings.traffic_query and "traffic" not in unavailable:
            unavailable["traffic"] = f"no traffic data for {service} now and on previous days"
        if budget is None and self.settings.error_ratio_query and "error budget" not in unavailable:
            unavailable["error budget"] = f"no error-ratio data for {service}"
        return traffic, budget

    async def _compare(self, request: AssessRequest, unavailable: dict[str, str]) -> Change | None:
        """The diff from GitHub's compare, when the service's repository is a connector and the
        request names both ends."""
        repo = next((r for r in self.repos if r.service == request.service), None)
        if repo is None or not (request.commit and request.diff_from):
            return None
        try:
            found = await repo.changed_files(request.diff_from, request.commit)
        except NightowlError as exc:
            why = f"GitHub's compare failed on {repo.name}: {exc}"
            unavailable |= {"change size": why, "change kinds": why}
            return None
        files = tuple(FileChange(path=p, added=a, deleted=d) for p, a, d in found[:MAX_FILES])
        source = f"github:{repo.config.repo}"
        return Change(files=files, source=source, base=request.diff_from, head=request.commit)

    def _freeze(self, service: str, at: datetime) -> str | None:
        try:
            window = active_freeze(self.records.settings.policy.freeze, service, at)
        except ValueError as exc:  # as the policy gate: a window that cannot be read freezes
            return f"unreadable window ({exc})"
        return window.name if window is not None else None

    def _dependents(self, service: str, unavailable: dict[str, str]) -> tuple[str, ...] | None:
        try:
            graph = self.records.knowledge.services()
        except NightowlError as exc:
            unavailable["blast radius"] = f"the knowledge graph could not be read: {exc}"
            return None
        return tuple(r.service for r in graph.dependents(service))

    def _owners(self, service: str) -> tuple[str, ...]:
        try:
            card = self.records.knowledge.card(service, self.records.clock.now(), hops=0)
        except NightowlError:
            return ()
        return tuple(dict.fromkeys(o.name for o in (*card.owners, *card.on_call)))

    async def _notify(self, result: Assessment, owners: tuple[str, ...]) -> tuple[str, ...]:
        """Send the ``delay`` through the routed notifiers (routes match its service and owners);
        a failed delivery is logged and named, never raised."""
        lines = [f"- {r.factor}: +{r.points} — {r.summary}" for r in result.reasons if r.points]
        notice = Notice(
            incident_id=f"deploy-risk:{result.service}:{result.version}",
            title=f"Delay the deploy of {result.service} {result.version}? Risk {result.score}/100",
            status="deploy-risk",
            text=f"nightowl advises delay (score {result.score} ≥ {result.thresholds['delay']}):\n"
            + "\n".join(lines),
            service=result.service,
            owners=owners,
        )
        sent = []
        for notifier in self.notifiers:
            note = await notifier.send(notice)
            if not note.ok:
                log.warning("deploy risk notice to %s failed: %s", note.channel, note.detail)
            sent.append(f"{note.channel}: {'sent' if note.ok else 'failed'} ({note.detail or ''})")
        return tuple(sent)
