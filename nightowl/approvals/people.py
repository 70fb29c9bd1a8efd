"""Who may decide: the one place that reads ``approvals.approvers``.

A service's own approvers plus the global ones (``'*'``) may answer its approval requests; only the
global approvers may turn the kill switch off (or, when none is configured, the operator at the
machine through the CLI) (anyone who may act may turn it on). API, UI, CLI
and Slack ask here, so the rule holds wherever the question comes from.
"""

from __future__ import annotations

from nightowl.settings import ApprovalSettings

GLOBAL = "*"


def approvers_for(settings: ApprovalSettings, service: str) -> tuple[str, ...]:
    """Who may approve actions on ``service``: its own list plus the '*' list, in that order."""
    people = [*settings.approvers.get(service, []), *settings.approvers.get(GLOBAL, [])]
    return tuple(dict.fromkeys(people))


def global_approvers(settings: ApprovalSettings) -> tuple[str, ...]:
    """The approvers of every service (``approvals.approvers['*']``)."""
    return tuple(settings.approvers.get(GLOBAL, []))


def may_release_killswitch(settings: ApprovalSettings, user: str, *, local: bool = False) -> bool:
    """Whether ``user`` may turn the kill switch off: a global approver. ``local``: the operator
    at the machine (the CLI, with the database's credentials); with no global approver configured,
    only they may."""
    owners = global_approvers(settings)
    return user in owners or (local and not owners)
