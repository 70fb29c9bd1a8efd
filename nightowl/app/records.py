"""The use cases that need only the database: reading nightowl's record and steering it.

API, UI and CLI call these (and never a store directly): incidents, the kill switch and who may
release it, approval requests, silences, dead letters, recorded deploys, the audit trail, the
KPIs, and incident memory (``memory.py``). ``Records.open`` needs nothing but the store's URL, so the CLI can use it on any machine that
reaches the database, without building connectors, drivers or the LLM agent; a running
``Nightowl`` holds one over its own stores. Every write here takes the authenticated ``Principal``
who asks, is refused unless ``access.require`` allows it, and is audited where it steers nightowl
(the kill switch, silences); which approver may release the kill switch is the approvals
package's rule.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from nightowl.app.access import Act, Principal, require
from nightowl.app.compose import Stores
from nightowl.app.memory import Memories
from nightowl.approvals.people import approvers_for, global_approvers, may_release_killswitch
from nightowl.clock import Clock, SystemClock
from nightowl.domain import (
    ApprovalRequest,
    ApprovalStatus,
    DeadLetter,
    Deploy,
    Incident,
    IncidentStatus,
    IncidentSummary,
    KillSwitch,
    Matcher,
    Silence,
)
from nightowl.domain.canary import CanaryRun
from nightowl.domain.findings import EstateKpis, Finding, FindingState, estate_kpis
from nightowl.domain.graph import ChangeRef, ServiceCard
from nightowl.errors import AuthError, ForbiddenError, InputError, NotFoundError
from nightowl.graph.knowledge import Knowledge
from nightowl.redaction import safe_headers
from nightowl.report.export import ReportFormat, export
from nightowl.report.kpis import Kpis, compute
from nightowl.settings import Settings
from nightowl.store import IncidentStore, missing_sqlite_file
from nightowl.store.audit import AuditRecord, ChainCheck
from nightowl.store.canary import CanaryStore
from nightowl.store.dead_letters import DeadLetterCap
from nightowl.store.deploys import DeployLog, Recorded
from nightowl.store.kpi_rows import kpi_rows
from nightowl.store.silences import SilenceStore
from nightowl.telemetry import meters
from nightowl.telemetry.spans import trace_id_of, trace_url
from nightowl.watchers.cve.posture import Posture, of_findings

log = logging.getLogger(__name__)


class Records:
    """nightowl's record and its controls. Thread-safe (every call is its own transaction);
    raises NotFoundError for what does not exist, AuthError for who may not, InputError for bad
    input, StoreError when the database cannot be used."""

    def __init__(
        self, settings: Settings, stores: Stores, clock: Clock, wall: Clock | None = None
    ) -> None:
        """``clock`` is the time intake judges alerts by, which silences share (a replay's
        recorded time); ``wall`` (default: ``clock``) the time of people's acts: the kill
        switch, refusals, the audit trail and the dead letters' retention."""
        self.settings, self.stores, self.clock = settings, stores, clock
        self.wall = wall or clock
        self.silence_store = SilenceStore(stores.incidents.engine)
        self.deploy_log = DeployLog(stores.incidents.engine)
        self.canary_runs = CanaryStore(stores.incidents.engine)
        self.knowledge = Knowledge(stores.graph, settings.graph)
        self.memory = Memories(self)

    @classmethod
    def open(cls, settings: Settings, *, existing: bool = False) -> Records:
        """Records over the configured database (migrated to the newest schema). ``existing``:
        refuse (NotFoundError) a SQLite store that is not there yet instead of creating an empty
        one, for a reader pointed at the wrong data dir."""
        missing = missing_sqlite_file(settings.store_url) if existing else None
        if missing is not None:
            demo = missing.parent / "demo"  # where `nightowl demo` keeps its own store
            hint = (
                f"; the demo's incidents are in its own store: --data-dir {demo}"
                if (demo / missing.name).exists()
                else ""
            )
            raise NotFoundError(
                f"no nightowl store at {missing} — run `nightowl serve` or `nightowl demo` "
                f"first, or pass --data-dir (or --config) naming where it keeps its data{hint}"
            )
        store = IncidentStore.open(settings.store_url, migrate=settings.store.migrate_on_open)
        try:
            return cls(settings, Stores.on(store, settings), SystemClock())
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.stores.close()

    # incidents -----------------------------------------------------------------------------

    def incidents(
        self, *, limit: int = 50, status: IncidentStatus | None = None
    ) -> builtins.list[IncidentSummary]:
        return self.stores.incidents.list(limit=limit, status=status)

    def incident(self, incident_id: str) -> Incident:
        """The incident with this id or, for a person typing it, the one id it starts
        (``IncidentStore.resolve``: NotFoundError for none, InputError for several)."""
        return self.stores.incidents.get(self.incident_id(incident_id))

    def report_documents(self, incident_id: str) -> dict[str, str]:
        """The documents of the incident's report kept in the store (HTML, model, charts), by
        name; empty before its report is written."""
        return self.stores.reports.get(incident_id)

    def export_report(self, incident: Incident, fmt: ReportFormat) -> str:
        """The incident's postmortem as text in ``fmt``, from what the report stage stored."""
        return export(incident, fmt, self.report_documents(incident.id))

    def trace(self, incident_id: str) -> tuple[str | None, str | None]:
        """The incident's trace id and its link in the trace backend (``tracing.ui_url``); None
        where the incident was run without tracing or no link is configured."""
        trace_id = trace_id_of(self.stores.traces.get(incident_id))
        return trace_id, trace_url(self.settings.tracing.ui_url, trace_id)

    def incident_id(self, id_or_prefix: str) -> str:
        """The full id of the incident ``id_or_prefix`` names (see ``incident``)."""
        return self.stores.incidents.resolve(id_or_prefix)

    # watchers' findings ----------------------------------------------------------------------

    def findings(
        self,
        *,
        watcher: str | None = None,
        states: Sequence[FindingState] = (),
        limit: int = 200,
    ) -> builtins.list[Finding]:
        """The watchers' findings, most recently seen first."""
        return self.stores.findings.list(watcher=watcher, states=states, limit=limit)

    def finding(self, fingerprint: str) -> Finding:
        return self.stores.findings.get(fingerprint)

    def estate_kpis(self) -> EstateKpis:
        """Drift count and age, findings open, cost found this week, savings proposed, and the
        monthly cost of the priced actions approvers approved."""
        active = self.findings(states=(FindingState.NEW, FindingState.OPEN), limit=1000)
        approved = self.approvals(status=ApprovalStatus.APPROVED)
        costs = [r.monthly_cost_delta for r in approved if r.monthly_cost_delta is not None]
        return estate_kpis(active, costs, self.wall.now())

    def posture(self) -> Posture:
        """The security posture over the CVE watchers' tracked findings (the newest 1,000)."""
        return of_findings(self.stores.findings.list(limit=1000))

    def accept_finding(self, fingerprint: str, until: datetime, *, by: Principal) -> Finding:
        """Accept a finding's risk until ``until`` (``Act.ACCEPT_FINDING``). Audited."""
        self.guard(by, Act.ACCEPT_FINDING, finding=fingerprint)
        accepted = self.stores.findings.accept(fingerprint, until, by.name, self.wall.now())
        data = {"fingerprint": fingerprint, "until": until.isoformat(), "via": by.via}
        self.audit("finding.accepted", data, actor=by.name)
        return accepted

    # the kill switch ------------------------------------------------------------------------

    def killswitch(self) -> KillSwitch:
        return self.stores.control.killswitch()

    def set_killswitch(
        self, on: bool, *, by: Principal, reason: str, local: bool = False
    ) -> KillSwitch:
        """Turn the kill switch on (``Act.KILLSWITCH_ON``) or off (``Act.KILLSWITCH_OFF``, and a
        global approver; ``local``: the operator at the machine, when no global approver is
        configured). ForbiddenError / AuthError when ``by`` may not. Audited."""
        self.guard(by, Act.KILLSWITCH_ON if on else Act.KILLSWITCH_OFF)
        if not on and not may_release_killswitch(self.settings.approvals, by.name, local=local):
            owners = global_approvers(self.settings.approvals)
            who = ", ".join(owners) if owners else "approvals.approvers['*']"
            refused = AuthError(f"{by.name} may not turn the kill switch off: only {who} may")
            self.audit_refusal(by.name, "killswitch.off", str(refused))
            raise refused
        at = self.wall.now()
        state = self.stores.control.set_killswitch(on, by=by.name, reason=reason, at=at)
        data = state.model_dump(mode="json") | {"via": by.via}
        self.stores.audit.append(None, "killswitch", data, actor=by.name, at=at)
        return state

    def may_release_killswitch(self, user: str) -> bool:
        return may_release_killswitch(self.settings.approvals, user)

    # approvals ------------------------------------------------------------------------------

    def approvals(
        self, *, status: ApprovalStatus | None = None, incident_id: str | None = None
    ) -> builtins.list[ApprovalRequest]:
        return self.stores.approvals.list(status=status, incident_id=incident_id)

    def approval(self, request_id: str) -> ApprovalRequest:
        return self.stores.approvals.get(request_id)

    def approvers_for(self, service: str) -> tuple[str, ...]:
        return approvers_for(self.settings.approvals, service)

    # silences -------------------------------------------------------------------------------

    def silences(self, *, active: bool = False) -> builtins.list[Silence]:
        """Every silence, newest first; ``active``: only those that have not ended."""
        return self.silence_store.list(since=self.clock.now() if active else None)

    def add_silence(
        self,
        matchers: tuple[Matcher, ...],
        starts_at: datetime,
        ends_at: datetime,
        by: Principal,
        comment: str,
    ) -> Silence:
        """A new silence created by ``by`` (``Act.SILENCE``; ForbiddenError otherwise). Audited."""
        self.guard(by, Act.SILENCE)
        silence = Silence.new(matchers, starts_at, ends_at, by.name, comment, self.clock.now())
        self.silence_store.add(silence)
        self.audit_silence("silence-added", silence, by)
        return silence

    def expire_silence(self, silence_id: str, by: Principal) -> Silence:
        """End a silence now (``Act.SILENCE``; ForbiddenError otherwise). Audited."""
        self.guard(by, Act.SILENCE, silence=silence_id)
        silence = self.silence_store.expire(silence_id, self.clock.now())
        self.audit_silence("silence-expired", silence, by)
        return silence

    def guard(
        self,
        by: Principal,
        act: Act,
        *,
        kind: str = "access.refused",
        incident_id: str | None = None,
        **facts: str,
    ) -> None:
        """``access.require``, with a refusal written to the audit trail before it is raised."""
        try:
            require(by, act)
        except ForbiddenError as exc:
            # the same fields as ``audit_refusal``: what was refused and why, then who asked how
            data = {"action": act.value, "act": act.name.lower(), "role": by.role.value}
            data |= {"via": by.via, **facts}
            at = self.wall.now()
            self.stores.audit.append(
                incident_id, kind, data | {"reason": str(exc)}, actor=by.name, at=at
            )
            raise

    def audit_silence(self, kind: str, silence: Silence, by: Principal) -> None:
        """Write a silence's creation or expiry to the audit trail, as ``by``."""
        data = silence.model_dump(mode="json") | {"via": by.via}
        self.stores.audit.append(None, kind, data, actor=by.name, at=self.wall.now())

    # dead letters and deploys ---------------------------------------------------------------

    def dead_letters(self, *, limit: int = 100) -> builtins.list[DeadLetter]:
        return self.stores.incidents.list_dead_letters(limit=limit)

    def keep_dead_letter(
        self,
        source: str,
        error: InputError | str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        sender: str,
    ) -> int:
        """Keep a rejected request of an authenticated ``sender`` byte for byte, with only the
        allow-listed headers, within ``webhooks.dead_letters``; its id."""
        bounds = self.settings.webhooks.dead_letters
        now = self.wall.now()
        kept = self.stores.incidents.dead_letter(
            source=source,
            reason=str(error),
            body=body,
            content_type=headers.get("content-type"),
            headers=safe_headers(headers),
            received_at=now,
            sender=sender,
            cap=DeadLetterCap(
                max_count=bounds.max_count,
                max_bytes=bounds.max_bytes,
                keep_after=now - timedelta(days=bounds.retention_days),
            ),
        )
        if kept.dropped:
            log.warning(
                "dropped %d older dead letter(s) to stay within webhooks.dead_letters",
                kept.dropped,
            )
        return kept.id

    def purge_dead_letters(self, older_than: timedelta | None = None, *, by: str) -> int:
        """Drop dead letters older than ``older_than`` (default: the retention); how many.
        Audited (``deadletter.purge``, by ``by``)."""
        if older_than is None:
            older_than = timedelta(days=self.settings.webhooks.dead_letters.retention_days)
        at = self.wall.now()
        purged = self.stores.incidents.purge_dead_letters(at - older_than)
        data = {"before": (at - older_than).isoformat(), "purged": purged}
        self.stores.audit.append(None, "deadletter.purge", data, actor=by, at=at)
        return purged

    def record_deploy(self, deploy: Deploy, how: str = "push") -> Recorded:
        """Keep a deploy a CI pipeline reported (``push``) or a deploy source found
        (``discovered``) — idempotent —, and put it in the knowledge graph with who made it."""
        recorded = self.deploy_log.record(deploy)
        where = (
            f"{'pushed' if how == 'push' else how} deploy {recorded.id} (source {deploy.source})"
        )
        self.knowledge.note_deploy(recorded.deploy, how, where, self.clock.now())
        return recorded

    def canaries(self, service: str | None = None, limit: int = 100) -> builtins.list[CanaryRun]:
        """Canary analyses of recorded deploys, newest first."""
        return self.canary_runs.list(service, limit)

    def deploys(
        self, service: str | None, start: datetime, end: datetime, limit: int = 1000
    ) -> builtins.list[Deploy]:
        """Recorded deploys in [start, end], oldest first."""
        return self.deploy_log.list(service, start, end, limit)

    # the knowledge graph -------------------------------------------------------------------

    def service_card(self, service: str, hops: int | None = None) -> ServiceCard:
        """What the graph knows about ``service`` (owners, dependencies, changes, incidents)."""
        return self.knowledge.card(service, self.clock.now(), hops)

    def who_changed(
        self, service: str, since: timedelta, hops: int = 1
    ) -> builtins.list[ChangeRef]:
        """The deploys of ``service`` and its dependencies within ``hops`` in the last ``since``,
        newest first."""
        now = self.clock.now()
        return self.knowledge.who_changed(service, now - since, now, hops=hops)

    def forget_person(self, name: str, *, by: Principal) -> int:
        """Remove ``name`` from the knowledge graph (``Act.FORGET_PERSON``, audited as
        ``graph.forget``); how many edges went. What a source still says comes back on the next
        refresh: remove the person there too."""
        self.guard(by, Act.FORGET_PERSON)
        removed = self.stores.graph.forget(name)
        at = self.clock.now()
        data = {"name": name, "edges": removed, "via": by.via}
        self.stores.audit.append(None, "graph.forget", data, actor=by.name, at=at)
        return removed

    # the audit trail and the KPIs -----------------------------------------------------------

    def audit(
        self,
        kind: str,
        data: Mapping[str, object],
        *,
        actor: str,
        incident_id: str | None = None,
    ) -> AuditRecord:
        """Put a security-relevant act on the trail (a silence added or expired, a role refused,
        the configuration loaded); ``actor`` is the authenticated identity, never a typed name."""
        at = self.wall.now()
        return self.stores.audit.append(incident_id, kind, dict(data), actor=actor, at=at)

    def audit_refusal(self, actor: str, action: str, reason: str) -> AuditRecord:
        """Record that ``actor`` was refused ``action`` (a 403): kind ``access.refused``."""
        return self.audit("access.refused", {"action": action, "reason": reason}, actor=actor)

    def audit_check(self, anchors: Sequence[tuple[int, str]] = ()) -> ChainCheck:
        """Verify the trail against its anchor file and ``anchors`` given by the caller (the
        outcome is counted on /metrics: ``nightowl_audit_chain_ok``)."""
        check = self.stores.audit.verify(given=anchors)
        meters.count(meters.AUDIT_VERIFIED.labels("ok" if check.ok else "failed"))
        meters.AUDIT_OK.set(1 if check.ok else 0)
        return check

    def audit_records(
        self, *, since: datetime | None = None, incident_id: str | None = None
    ) -> Iterator[AuditRecord]:
        return iter(self.stores.audit.records(since=since, incident_id=incident_id))

    def kpis(self) -> Kpis:
        return compute(kpi_rows(self.stores.incidents.engine))
