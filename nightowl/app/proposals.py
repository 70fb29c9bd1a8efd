"""Proposals: what a runbook would do on an incident and what the policy says, without doing it.

``propose`` is the dry run behind ``nightowl runbook plan`` and the MCP tool ``propose_action``:
the runbook (the named one, else the one the plan stage would match) is interpreted for the
incident's diagnosis, each step is dry-run by its driver and decided by the gate — the guardrails,
the kill switch, the write counts, the user's Cedar rules — exactly as the gate stage would, but
nothing is written and nothing is stored. ``request_approval`` opens the approval requests the
approve stage would open for the steps the policy sends to a human (the same ids, so the
incident's workflow finds them), audited as ``approval.requested`` by the caller; an approval
answered here is acted on only by the incident's own workflow, still through every guardrail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nightowl.app.access import Act, Principal
from nightowl.approvals.people import approvers_for
from nightowl.approvals.requests import build
from nightowl.domain import ActionSpec, ApprovalRequest, Decision, EvidenceKind, Incident, Verdict
from nightowl.domain.base import Model
from nightowl.errors import InputError, NotFoundError
from nightowl.policy.gate import evaluate
from nightowl.policy.stage import Gate
from nightowl.runbooks.catalog import facts_of, match, plan, previous_version_of
from nightowl.runbooks.model import Runbook

if TYPE_CHECKING:
    from nightowl.app.nightowl import Nightowl


class ProposedStep(Model):
    """One step of a proposal: the action, what its driver's dry run says it would do, the blast
    radius, and the policy's decision."""

    action: ActionSpec
    would_do: str
    blast_radius: str | None = None
    decision: Decision


class Proposal(Model):
    """A runbook's plan for an incident with the policy's verdict on every step. Never executed:
    ``dry_run`` is always True."""

    incident_id: str
    runbook: str
    steps: tuple[ProposedStep, ...]
    dry_run: bool = True

    @property
    def verdict(self) -> Verdict:
        """The strictest verdict of the steps (allow when there is none)."""
        order = (Verdict.ALLOW, Verdict.REQUIRE_APPROVAL, Verdict.DENY)
        return max((s.decision.verdict for s in self.steps), key=order.index, default=Verdict.ALLOW)


async def propose(app: Nightowl, incident_id: str, runbook: str | None = None) -> Proposal:
    """The dry run of ``runbook`` (default: the runbook the plan stage would match) on the
    incident. NotFoundError for an unknown incident or runbook; InputError when the incident has
    no root cause yet or no runbook matches it."""
    incident = app.store.get(incident_id)
    book = _runbook(app, incident, runbook)
    actions = _actions(incident, book)
    gate = app.pipeline.stages[Gate.name]
    assert isinstance(gate, Gate)
    killswitch = app.control.killswitch()
    steps = []
    for action in actions:
        facts, seen = await gate.facts(incident.id, action, killswitch)
        decision = evaluate(facts, app.settings.policy, gate.cedar)
        preview = seen.result
        steps.append(
            ProposedStep(
                action=action,
                would_do=preview.message if preview else (facts.preview_error or "-"),
                blast_radius=facts.blast_radius.summary if facts.blast_radius else None,
                decision=decision,
            )
        )
    return Proposal(incident_id=incident.id, runbook=book.name, steps=tuple(steps))


async def request_approval(
    app: Nightowl, incident_id: str, runbook: str | None, *, by: Principal, note: str = ""
) -> list[ApprovalRequest]:
    """Open the approval requests for the steps of the proposal the policy sends to a human
    (``Act.REQUEST_APPROVAL``; ForbiddenError, audited, otherwise). InputError when no step needs
    an approval (allowed steps need none; denied ones cannot get one) or nobody may approve for
    the service. Idempotent: asking twice returns the same requests."""
    app.records.guard(by, Act.REQUEST_APPROVAL, incident_id=incident_id)
    proposal = await propose(app, incident_id, runbook)
    asked = [s for s in proposal.steps if s.decision.verdict is Verdict.REQUIRE_APPROVAL]
    if not asked:
        verdicts = ", ".join(f"{s.action.kind}: {s.decision.verdict.value}" for s in proposal.steps)
        raise InputError(
            f"no step of runbook {proposal.runbook} needs an approval ({verdicts or 'no steps'}); "
            "only steps the policy sends to a human can be put to the approvers"
        )
    incident = app.store.get(incident_id)
    planned = incident.model_copy(update={"plan": tuple(s.action for s in proposal.steps)})
    opened = []
    for step in asked:
        approvers = approvers_for(app.settings.approvals, step.action.service)
        if not approvers:
            raise InputError(
                f"nobody may approve actions on {step.action.service}: configure "
                "approvals.approvers for it (or '*')"
            )
        preview = (await app.executor.preview(step.action)).result
        timeout = app.settings.approvals.timeout_seconds
        request = build(planned, step.decision, preview, approvers, app.clock.now(), timeout)
        request = app.approvals.open(request)
        data = {"request": request.model_dump(mode="json"), "via": by.via, "note": note}
        app.records.audit("approval.requested", data, actor=by.name, incident_id=incident_id)
        opened.append(request)
    return opened


def _runbook(app: Nightowl, incident: Incident, name: str | None) -> Runbook:
    books = app.runbooks.by_name
    if name is not None:
        if name not in books:
            raise NotFoundError(f"no runbook {name!r}; known: {', '.join(sorted(books))}")
        return books[name]
    diagnosis = incident.diagnosis
    if diagnosis is None or diagnosis.root_cause is None:
        raise InputError(f"incident {incident.id} has no root cause yet: name a runbook to plan")
    found = match(
        list(app.runbooks),
        diagnosis,
        incident.category,
        labels=[a.labels for a in incident.alerts],
        texts=[e.summary for e in incident.evidence if e.kind is EvidenceKind.LOG_ERRORS],
    )
    if found is None:
        raise InputError(
            f"no runbook matches {diagnosis.root_cause.kind} on {incident.id}: name one to plan"
        )
    return found


def _actions(incident: Incident, book: Runbook) -> list[ActionSpec]:
    diagnosis = incident.diagnosis
    if diagnosis is None or diagnosis.root_cause is None:
        raise InputError(f"incident {incident.id} has no root cause to plan {book.name} for")
    previous = previous_version_of(incident)
    facts = facts_of(diagnosis, incident.id, previous, incident.category, incident.severity)
    return plan(book, diagnosis, incident.id, previous, facts)
