"""Closing an incident by hand: what a person does once nightowl has escalated to them.

nightowl resolves an incident itself when its alerts resolve and the signals confirm it. An
incident it escalated (no root cause, a refused or failed action, a rollback undone) stays open
until its alerts resolve, and a page that keeps firing — a failed canary of a version nobody
deploys any more, an alert the team fixed by hand but whose rule is still pending — keeps it open
and would swallow the next incident's alerts. A responder closes it, saying why; the reason is in
the audit trail. Only escalated incidents may be closed: one the workflow is still working on
(investigating, awaiting approval, verifying) is its workflow's to finish, and a human answers its
approval request instead.
"""

from __future__ import annotations

from nightowl.app.access import Act, Principal
from nightowl.app.records import Records
from nightowl.domain import Incident, IncidentStatus
from nightowl.errors import ConflictError, InputError

CLOSABLE = frozenset({IncidentStatus.ESCALATED})
"""The statuses a person may close an incident from: nightowl has handed it to humans."""

MAX_REASON = 1000
"""Characters of a closing reason (bounded input; a postmortem holds the long story)."""


def resolve_by_hand(records: Records, incident_id: str, reason: str, by: Principal) -> Incident:
    """Resolve the escalated incident ``incident_id`` (an id or its prefix) as ``by``
    (``Act.RESOLVE_INCIDENT``: ForbiddenError otherwise, audited) for ``reason``.

    ConflictError when it is not escalated (it says what to do instead), InputError for an empty
    or over-long reason, NotFoundError for no such incident. Audited as ``incident.resolved``."""
    reason = reason.strip()
    if not reason:
        raise InputError('say why the incident is closed (--reason / "reason")')
    if len(reason) > MAX_REASON:
        raise InputError(f"the reason is {len(reason)} characters; at most {MAX_REASON}")
    full_id = records.incident_id(incident_id)
    records.guard(by, Act.RESOLVE_INCIDENT, incident_id=full_id)
    was = records.stores.incidents.resolve_if(full_id, CLOSABLE)
    if was not in CLOSABLE:
        raise ConflictError(_not_closable(full_id, was))
    data = {"reason": reason, "was": was.value, "role": by.role.value, "via": by.via}
    records.stores.audit.append(
        full_id, "incident.resolved", data, actor=by.name, at=records.wall.now()
    )
    return records.incident(full_id)


def _not_closable(incident_id: str, status: IncidentStatus) -> str:
    if status is IncidentStatus.RESOLVED:
        return f"incident {incident_id} is already resolved"
    if status is IncidentStatus.AWAITING_APPROVAL:
        return (
            f"incident {incident_id} is awaiting approval: answer its request "
            "(`nightowl approvals list`), and the workflow finishes it"
        )
    return (
        f"incident {incident_id} is {status.value}: its workflow is still working on it; "
        "only an escalated incident can be closed by hand"
    )
