"""What the pipeline records, as edges of the graph: an incident, the services it affected, the
runbooks it used, the actions it ran with their outcomes, and the decisions taken on them (the
gate's verdicts, and approvals and denials with who and why).

Pure functions; the stages feed them through the ``Knowledge`` port at the points they already
record these things, and re-recording the same incident only moves ``last_seen``.
"""

from __future__ import annotations

import re
from datetime import datetime

from nightowl.domain import Incident
from nightowl.domain.control import ApprovalRequest
from nightowl.domain.graph import EdgeKind, EntityKind, Fact, Node
from nightowl.graph.facts import PIPELINE, owner, service

SLACK_THREAD = re.compile(r"(?:posted to|replied in the thread of) (\S+) \(ts (\d+\.\d+)\)")
"""The Slack notifier's record of a message (``notify/slack.py``): the Slack channel and the
thread's ``ts`` — together they name the incident's thread (Slack's permalink needs the workspace's
domain, which nightowl does not know)."""


def incident_node(incident: Incident) -> Node:
    """The incident as an entity: its title, status, opening time and Slack thread, if any."""
    attrs = {
        "title": incident.title,
        "status": str(incident.status),
        "opened_at": incident.opened_at.isoformat(),
    }
    for note in incident.notifications:
        if note.ok and (found := SLACK_THREAD.search(note.detail)):
            attrs["slack_thread"] = f"{found.group(1)} ts {found.group(2)}"
            break
    return Node(kind=EntityKind.INCIDENT, name=incident.id, attrs=attrs)


def incident_facts(incident: Incident, seen: datetime) -> list[Fact]:
    """Every edge the incident's record holds."""
    node = incident_node(incident)

    def fact(kind: EdgeKind, obj: Node, provenance: str, **attrs: str) -> Fact:
        return Fact(
            kind=kind, subject=node, object=obj, source=PIPELINE, provenance=provenance,
            seen=seen, attrs=attrs,
        )  # fmt: skip

    services = {incident.service} | {a.service for a in incident.plan}
    out = [
        fact(EdgeKind.AFFECTED, service(s), "incident record")
        for s in sorted(filter(None, services))
    ]
    for runbook in sorted({a.runbook for a in incident.plan}):
        out.append(fact(EdgeKind.USED, Node(kind=EntityKind.RUNBOOK, name=runbook), "plan"))
    recovered = incident.verification.recovered if incident.verification else None
    for action in incident.actions:
        attrs = {
            "kind": action.kind,
            "service": action.service,
            "status": str(action.status),
            "dry_run": str(action.dry_run).lower(),
            "driver": action.driver,
            "at": action.finished_at.isoformat(),
        }
        if recovered is not None:
            attrs["recovered"] = str(recovered).lower()
        target = Node(
            kind=EntityKind.ACTION, name=_key(incident.id, action.idempotency_key), attrs=attrs
        )
        out.append(fact(EdgeKind.RAN, target, f"act: {action.message}"[:1000]))
    for decision in incident.decisions:
        attrs = {
            "action": decision.action_kind,
            "verdict": str(decision.verdict),
            "by": "policy",
            "why": "; ".join(decision.reasons)[:1000],
            "at": decision.decided_at.isoformat(),
        }
        name = _key(incident.id, decision.idempotency_key) + "/gate"
        target = Node(kind=EntityKind.DECISION, name=name, attrs=attrs)
        out.append(fact(EdgeKind.DECIDED, target, "gate: " + ", ".join(decision.rules)))
    return out


def approval_facts(request: ApprovalRequest, seen: datetime) -> list[Fact]:
    """An answered approval: ``incident decided decision`` and ``person decided decision``, the
    decision carrying the verdict, who and why. Nothing for a request still pending."""
    if request.decided_by is None:
        return []
    attrs = {
        "action": request.action.kind,
        "service": request.service,
        "verdict": str(request.status),
        "by": request.decided_by,
        "why": request.reason[:1000],
        "at": (request.decided_at or seen).isoformat(),
    }
    decision = Node(
        kind=EntityKind.DECISION, name=f"{request.incident_id}/approval/{request.id}", attrs=attrs
    )
    incident = Node(kind=EntityKind.INCIDENT, name=request.incident_id)
    provenance = f"approval {request.id}"
    return [
        Fact(
            kind=EdgeKind.DECIDED, subject=who, object=decision, source=PIPELINE,
            provenance=provenance, seen=seen,
        )
        for who in (incident, owner(request.decided_by, team=False))
    ]  # fmt: skip


def _key(incident_id: str, idempotency_key: str) -> str:
    return f"{incident_id}/{idempotency_key}"
