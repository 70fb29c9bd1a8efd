"""The approve stage: ask the approvers, wait durably for their answer, page a human on expiry.

The first run opens one request per action the gate sent for approval, pages the approvers
through the notifiers and asks the engine to wait (DBOS ``recv`` with the time left, which survives
a crash). Each time the engine wakes it — an answer arrived, or time ran out — the stage runs
again: it turns answered requests into allow or deny decisions, waits again while some are still
pending and unexpired, and otherwise expires them, escalates, and acts on nothing it was not told.
With no approver configured for a service, nobody can say yes: the action stays a proposal.
"""

from __future__ import annotations

from nightowl.approvals.requests import TOPIC, approvers_for, build, request_id, resolved
from nightowl.domain import ActionResult, Decision, IncidentStatus, Verdict
from nightowl.notify.protocol import Message
from nightowl.store.approvals import ApprovalRequest, ApprovalStatus
from nightowl.workflow.facts import gather_facts
from nightowl.workflow.outcome import Carry, Outcome, Wait
from nightowl.workflow.remediation import audit
from nightowl.workflow.runtime import Runtime


async def run_approve(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    planned = {a.idempotency_key for a in incident.plan}  # this round's actions only
    asked = [
        d
        for d in incident.decisions
        if d.verdict is Verdict.REQUIRE_APPROVAL and d.idempotency_key in planned
    ]
    if not asked:
        return Outcome(summary="no approval needed", carry=carry)
    if not carry.waited:
        return await _open(rt, incident_id, asked, carry)
    requests = _requests(rt, incident_id, asked)
    pending = [r for r in requests if r.status is ApprovalStatus.PENDING]
    now = rt.clock.now()
    if pending and carry.reply is not None:
        left = min(r.expires_at for r in pending) - now
        if left.total_seconds() > 0:
            return Outcome(
                summary=f"{len(pending)} approval(s) pending",
                carry=carry,
                wait=Wait(topic=TOPIC, timeout_seconds=left.total_seconds()),
            )
    for r in pending:
        expired = rt.approvals.decide(
            r.id, ApprovalStatus.EXPIRED, by="nightowl", reason="", at=now
        )
        audit(rt, incident_id, "approval.expired", {"request": expired.model_dump(mode="json")})
    requests = _requests(rt, incident_id, asked)
    by_key = {r.action.idempotency_key: r for r in requests}
    decisions = [
        resolved(d, by_key[d.idempotency_key], now) if d.idempotency_key in by_key else d
        for d in incident.decisions
    ]
    rt.store.save_decisions(incident_id, decisions)
    for d in decisions:
        if d.idempotency_key in by_key:
            audit(
                rt,
                incident_id,
                "decision",
                {"decision": d.model_dump(mode="json")},
                actor="approvals",
            )
    if pending:
        await _page(
            rt,
            incident_id,
            f"approval expired for {len(pending)} action(s); nothing was done: "
            "a human must take over",
        )
        rt.store.set_status(incident_id, IncidentStatus.ESCALATED)
    elif any(d.verdict is Verdict.ALLOW for d in decisions):
        rt.store.set_status(incident_id, IncidentStatus.INVESTIGATING)
    answered = ", ".join(f"{r.action.kind}: {r.status.value}" for r in requests)
    return Outcome(summary=answered, carry=carry)


async def _open(rt: Runtime, incident_id: str, asked: list[Decision], carry: Carry) -> Outcome:
    incident, now = rt.store.get(incident_id), rt.clock.now()
    books = {b.name: b for b in rt.runbooks}
    killswitch = rt.control.killswitch()
    opened: list[ApprovalRequest] = []
    nobody: list[str] = []
    for decision in asked:
        action = next(a for a in incident.plan if a.idempotency_key == decision.idempotency_key)
        approvers = approvers_for(rt.settings, action.service)
        if not approvers:
            nobody.append(action.service)
            continue
        preview: ActionResult | None = (
            await gather_facts(rt, incident_id, action, books, killswitch)
        )[1]
        request = build(
            incident, decision, preview, approvers, now, rt.settings.approvals.timeout_seconds
        )
        request = rt.approvals.open(request)
        opened.append(request)
        audit(rt, incident_id, "approval.requested", {"request": request.model_dump(mode="json")})
    if not opened:
        where = ", ".join(sorted(set(nobody)))
        return Outcome(
            summary=f"proposed, not executed: no approver is configured for {where} "
            "(approvals.approvers)",
            carry=carry,
        )
    lines = [f"{r.id}: {r.plan} (approve: nightowl approve {r.id})" for r in opened]
    await _page(rt, incident_id, "approval needed — " + "; ".join(lines))
    left = min(r.expires_at for r in opened) - now
    return Outcome(
        summary=f"waiting for approval: {', '.join(r.id for r in opened)}",
        carry=carry,
        wait=Wait(topic=TOPIC, timeout_seconds=max(left.total_seconds(), 0.0)),
    )


def _requests(rt: Runtime, incident_id: str, asked: list[Decision]) -> list[ApprovalRequest]:
    keys = {request_id(d.idempotency_key) for d in asked}
    return [r for r in rt.approvals.list(incident_id=incident_id) if r.id in keys]


async def _page(rt: Runtime, incident_id: str, text: str) -> None:
    incident = rt.store.get(incident_id)
    message = Message(
        incident_id=incident_id, title=incident.title, status=incident.status.value, text=text
    )
    for notifier in rt.notifiers:
        rt.store.add_notification(incident_id, await notifier.send(message))
