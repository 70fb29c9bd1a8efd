"""What a new finding becomes: an incident, a notification or its proposed change, through the
same intake, notifiers, gate, approvals, executor and audit trail as every other write.

``route`` takes the new findings of a run at or above the watcher's ``min_severity``:

- ``incident``: an alert (``source: watcher``, labels naming the watcher, kind, resource and
  service, the finding's fingerprint as the alert's) goes through intake, so grouping, silences
  and the pipeline apply as to any page.
- ``notify`` and ``pull_request``: the finding gets an anchor incident ``finding-<fingerprint>``
  (opened once; the notifications, approval requests and actions are recorded on it, as they are
  for a page). ``notify`` pages the routed notifiers. ``pull_request`` puts the proposed action
  through the gate: allowed and not in dry run, the executor performs it (the Git driver opens
  the pull request); sent to a human, an approval request is opened and paged, and the approved
  answer performs it (``perform_approved``); in dry run, the driver's dry run is the outcome.

Every proposal is audited (``finding.proposed``: the action, the verdict, the reasons, whether it
was written).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from nightowl.approvals.people import approvers_for
from nightowl.approvals.requests import build
from nightowl.approvals.stage import Approve
from nightowl.domain import (
    ActionSpec,
    Alert,
    AlertGroup,
    AlertStatus,
    ApprovalRequest,
    Decision,
    Incident,
    Verdict,
)
from nightowl.domain.findings import Finding, WatchRun
from nightowl.domain.units import money
from nightowl.domain.vocabulary import Severity
from nightowl.policy.gate import evaluate
from nightowl.policy.stage import Gate
from nightowl.settings import OnFinding, WatcherConfig
from nightowl.watchers.pricing import PriceTable

if TYPE_CHECKING:
    from nightowl.app.nightowl import Nightowl

ANCHOR = "finding-"
"""The id of a finding's anchor incident starts so (then the fingerprint)."""
ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.WARNING, Severity.INFO)


def at_least(severity: Severity, floor: Severity) -> bool:
    """Whether ``severity`` is ``floor`` or more urgent."""
    return ORDER.index(severity) <= ORDER.index(floor)


async def route(app: Nightowl, config: WatcherConfig, done: WatchRun, *, actor: str) -> list[str]:
    """Pass the run's new findings on as ``config.on_finding`` says; one line per finding."""
    if done.error or config.on_finding is OnFinding.RECORD:
        return []
    lines = []
    for finding in done.new:
        if at_least(finding.severity, config.min_severity):
            lines.append(await _route_one(app, config, finding, actor))
    return lines


async def _route_one(app: Nightowl, config: WatcherConfig, finding: Finding, actor: str) -> str:
    if config.on_finding is OnFinding.INCIDENT:
        result = await app.accept_group(alert_group(finding))
        return f"{finding.fingerprint}: {result.detail}"
    incident = await asyncio.to_thread(anchor, app, finding)
    proposed = finding.proposed.action if finding.proposed else None
    if config.on_finding is OnFinding.NOTIFY or proposed is None:
        await app.broadcast.page(incident, describe(finding))
        return f"{finding.fingerprint}: notified on {incident.id}"
    action = _routed(proposed, config, finding)
    outcome = await propose_change(
        app, incident, action, actor=actor, cost=finding.monthly_cost_delta
    )
    return f"{finding.fingerprint}: {outcome}"


def _routed(action: ActionSpec, config: WatcherConfig, finding: Finding) -> ActionSpec:
    """The action under the service its route names (the watcher's ``service`` wins)."""
    service = config.service or action.service or finding.service or config.name
    return action.model_copy(update={"service": service})


def alert_group(finding: Finding) -> AlertGroup:
    """The finding as one firing alert from the ``watcher`` source."""
    labels = {
        "alertname": f"nightowl_{finding.kind}",
        "watcher": finding.watcher,
        "resource": finding.resource,
        "severity": finding.severity.value,
    }
    if finding.service:
        labels["service"] = finding.service
    if isinstance(owner := finding.evidence.get("owner"), str) and owner:
        labels["owner"] = owner  # the watcher's own option: notification routes match it
    annotations = {"summary": finding.title, "description": describe(finding)}
    alert = Alert(
        source="watcher",
        fingerprint=finding.fingerprint,
        content_hash=finding.fingerprint,
        status=AlertStatus.FIRING,
        name=labels["alertname"],
        labels=labels,
        annotations=annotations,
        starts_at=finding.first_seen or finding.last_seen or _never(),
    )
    return AlertGroup(
        source="watcher",
        group_key=f"watcher:{finding.watcher}:{finding.fingerprint}",
        status=AlertStatus.FIRING,
        alerts=(alert,),
        common_labels=labels,
    )


def _never() -> datetime:
    raise ValueError("a tracked finding has a first_seen time")


def describe(finding: Finding) -> str:
    """The finding as a notification's text: title, resource, evidence, the proposed change."""
    lines = [f"{finding.severity.value}: {finding.title}", f"resource: {finding.resource}"]
    lines += [f"{key}: {_short(value)}" for key, value in finding.evidence.items()]
    if finding.monthly_cost_delta is not None:
        lines.append(f"cost: {money(finding.monthly_cost_delta)}/month")
    if finding.proposed:
        lines.append(f"proposed: {finding.proposed.summary}")
    return "\n".join(lines)


LONG = 200
"""Characters of an evidence value a notification shows (a model's distributions are JSON of a
few hundred: the incident page draws them)."""


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= LONG else f"{text[: LONG - 1]}… ({len(text)} characters in all)"


def anchor(app: Nightowl, finding: Finding) -> Incident:
    """The finding's anchor incident, opened once."""
    incident_id = ANCHOR + finding.fingerprint
    app.store.create_incident(
        incident_id=incident_id,
        correlation_key=f"finding:{finding.fingerprint}",
        title=finding.title[:300],
        service=finding.service or None,
        severity=finding.severity,
        opened_at=finding.first_seen or app.clock.now(),
    )
    return app.store.get(incident_id)


async def propose_change(
    app: Nightowl, incident: Incident, action: ActionSpec, *, actor: str, cost: float | None = None
) -> str:
    """Ask the gate about ``action`` on the anchor ``incident``; perform it, open its approval
    request, or show its dry run. Audited (``finding.proposed``). Returns the outcome line."""
    gate = app.pipeline.stages[Gate.name]
    assert isinstance(gate, Gate)
    facts, seen = await gate.facts(incident.id, action, app.control.killswitch())
    decision = evaluate(facts, app.settings.policy, gate.cedar)
    written = decision.verdict is Verdict.ALLOW and not app.executor.dry_run
    await asyncio.to_thread(app.store.save_plan, incident.id, [action])
    await asyncio.to_thread(app.store.save_decisions, incident.id, [decision])
    if written:
        outcome = await _perform(app, incident.id, action)
    elif decision.verdict is Verdict.REQUIRE_APPROVAL:
        outcome = await _ask(app, incident.id, decision, cost)
    elif decision.verdict is Verdict.DENY:
        outcome = "denied: " + "; ".join(decision.reasons)
    else:
        preview = seen.result
        outcome = "dry run: " + (preview.message if preview else (facts.preview_error or "-"))
    data: dict[str, object] = {"action": action.model_dump(mode="json")}
    data |= {"verdict": decision.verdict.value, "reasons": list(decision.reasons)}
    data |= {"written": written, "outcome": outcome}
    app.records.audit("finding.proposed", data, actor=actor, incident_id=incident.id)
    return outcome


async def _ask(app: Nightowl, incident_id: str, decision: Decision, cost: float | None) -> str:
    """Open and page the approval request; the outcome line (nobody to ask: said so)."""
    planned = await asyncio.to_thread(app.store.get, incident_id)
    action = planned.plan[0]
    approvers = approvers_for(app.settings.approvals, action.service)
    if not approvers:
        return (
            f"needs approval, but nobody may approve actions on {action.service}: "
            "configure approvals.approvers for it (or '*')"
        )
    preview = (await app.executor.preview(action)).result
    timeout = app.settings.approvals.timeout_seconds
    table = pricing(app)
    cost = table.monthly_delta(action, preview) if cost is None else cost
    request = build(
        planned, decision, preview, approvers, app.wall.now(), timeout, cost, table.currency
    )
    request = await asyncio.to_thread(app.approvals.open, request)
    await app.broadcast.page(planned, f"approval needed: {request.plan}\n{request.id}")
    return f"approval {request.id} requested from {', '.join(request.approvers)}"


def pricing(app: Nightowl) -> PriceTable:
    """The process's price table: the approve stage's, which OpenCost's replica prices update
    (``cost.runtime``); a fresh one from the settings if the stage has none."""
    table = getattr(app.pipeline.stages.get(Approve.name), "pricing", None)
    return table if isinstance(table, PriceTable) else PriceTable(app.settings.cost)


async def perform_approved(app: Nightowl, request: ApprovalRequest) -> str | None:
    """Perform the action of an approved request on a finding's anchor incident (the executor
    reads the kill switch and never performs a key twice); None for any other request."""
    if not request.incident_id.startswith(ANCHOR):
        return None
    return await _perform(app, request.incident_id, request.action)


async def _perform(app: Nightowl, incident_id: str, action: ActionSpec) -> str:
    """Perform through the executor; the driver's own message (the pull request's URL)."""
    summary, _ = await app.executor.perform(incident_id, action)
    done = await asyncio.to_thread(app.store.find_action, action.idempotency_key)
    return done.message if done and done.message else summary
