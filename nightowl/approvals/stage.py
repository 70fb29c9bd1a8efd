"""The approve stage: ask the approvers, wait durably for their answer, page a human on expiry.

The first run opens one request per action the gate sent for approval, pages the approvers and
asks the engine to wait (``Next.WAIT``: a DBOS ``recv`` with the time left, which survives a
crash). Each time the engine wakes it — an answer arrived, or time ran out — the stage runs again:
it turns answered requests into allow or deny decisions, waits again while some are still pending
and unexpired, and otherwise expires them, escalates, and acts on nothing it was not told. With no
approver configured for a service, nobody can say yes: the action stays a proposal.
"""

from __future__ import annotations

from nightowl.approvals.people import approvers_for
from nightowl.approvals.requests import TOPIC, build, request_id, resolved
from nightowl.clock import Clock
from nightowl.domain import (
    ApprovalRequest,
    ApprovalStatus,
    Decision,
    Incident,
    IncidentStatus,
    Next,
    StageContext,
    StageName,
    StageResult,
    Verdict,
    Wait,
)
from nightowl.domain.ports import Pager, Previewer, Pricing
from nightowl.settings import ApprovalSettings
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from nightowl.store.audit import AuditLog


class Approve:
    """The approve stage; see the module docstring."""

    name = StageName.APPROVE

    def __init__(
        self,
        settings: ApprovalSettings,
        *,
        requests: ApprovalStore,
        previewer: Previewer,
        pager: Pager,
        store: IncidentStore,
        audit: AuditLog,
        clock: Clock,
        pricing: Pricing | None = None,
    ) -> None:
        self.pricing = pricing
        self.settings, self.requests, self.previewer, self.pager = (
            settings,
            requests,
            previewer,
            pager,
        )
        self.store, self.audit, self.clock = store, audit, clock

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Ask the approvers for the round's actions that need one and wait durably for their
        answers; then record each answer as the action's decision. An expired request pages a
        human and escalates the incident; a service with no approver is proposed, not executed.
        """
        planned = {a.idempotency_key for a in incident.plan}  # this round's actions only
        asked = [
            d
            for d in incident.decisions
            if d.verdict is Verdict.REQUIRE_APPROVAL and d.idempotency_key in planned
        ]
        if not asked:
            return StageResult(summary="no approval needed")
        if ctx.reply is None:
            return await self._open(incident, asked)
        requests = self._requests(incident.id, asked)
        pending = [r for r in requests if r.status is ApprovalStatus.PENDING]
        now = self.clock.now()
        if pending and ctx.reply.message is not None:  # an answer came, but not every answer
            left = min(r.expires_at for r in pending) - now
            if left.total_seconds() > 0:
                return StageResult(
                    summary=f"{len(pending)} approval(s) pending",
                    next=Next.WAIT,
                    wait=Wait(topic=TOPIC, timeout_seconds=left.total_seconds()),
                )
        for r in pending:
            expired = self.requests.decide(
                r.id, ApprovalStatus.EXPIRED, by="nightowl", reason="", at=now
            )
            self._audit(
                incident.id, "approval.expired", {"request": expired.model_dump(mode="json")}
            )
        return await self._settle(incident, asked, expired=len(pending))

    async def _settle(self, incident: Incident, asked: list[Decision], expired: int) -> StageResult:
        """Turn the answers (and expiries) into decisions; escalate if any request expired."""
        requests = self._requests(incident.id, asked)
        by_key = {r.action.idempotency_key: r for r in requests}
        now = self.clock.now()
        decisions = [
            resolved(d, by_key[d.idempotency_key], now) if d.idempotency_key in by_key else d
            for d in incident.decisions
        ]
        self.store.save_decisions(incident.id, decisions)
        for d in decisions:
            if d.idempotency_key in by_key:
                self._audit(
                    incident.id, "decision", {"decision": d.model_dump(mode="json")}, "approvals"
                )
        if expired:
            await self.pager.page(
                incident,
                f"approval expired for {expired} action(s); nothing was done: "
                "a human must take over",
            )
            self.store.set_status(incident.id, IncidentStatus.ESCALATED)
        elif any(d.verdict is Verdict.ALLOW for d in decisions):
            self.store.set_status(incident.id, IncidentStatus.INVESTIGATING)
        answered = ", ".join(f"{r.action.kind}: {r.status.value}" for r in requests)
        return StageResult(summary=answered)

    async def _open(self, incident: Incident, asked: list[Decision]) -> StageResult:
        now = self.clock.now()
        opened: list[ApprovalRequest] = []
        nobody: list[str] = []
        for decision in asked:
            action = next(a for a in incident.plan if a.idempotency_key == decision.idempotency_key)
            approvers = approvers_for(self.settings, action.service)
            if not approvers:
                nobody.append(action.service)
                continue
            preview = (await self.previewer.preview(action)).result
            cost = self.pricing.monthly_delta(action, preview) if self.pricing else None
            currency = self.pricing.currency if self.pricing else "$"
            request = build(
                incident, decision, preview, approvers, now, self.settings.timeout_seconds,
                cost, currency,
            )  # fmt: skip
            request = self.requests.open(request)
            opened.append(request)
            self._audit(
                incident.id, "approval.requested", {"request": request.model_dump(mode="json")}
            )
        if not opened:
            where = ", ".join(sorted(set(nobody)))
            return StageResult(
                summary=f"proposed, not executed: no approver is configured for {where} "
                "(approvals.approvers)"
            )
        lines = [f"{r.id}: {r.plan} (approve: nightowl approve {r.id})" for r in opened]
        await self.pager.page(incident, "approval needed — " + "; ".join(lines))
        left = min(r.expires_at for r in opened) - now
        return StageResult(
            summary=f"waiting for approval: {', '.join(r.id for r in opened)}",
            next=Next.WAIT,
            wait=Wait(topic=TOPIC, timeout_seconds=max(left.total_seconds(), 0.0)),
        )

    def _requests(self, incident_id: str, asked: list[Decision]) -> list[ApprovalRequest]:
        keys = {request_id(d.idempotency_key) for d in asked}
        return [r for r in self.requests.list(incident_id=incident_id) if r.id in keys]

    def _audit(
        self, incident_id: str, kind: str, data: dict[str, object], actor: str = "nightowl"
    ) -> None:
        self.audit.append(incident_id, kind, data, actor=actor, at=self.clock.now())
