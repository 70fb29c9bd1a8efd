"""Who may do what: the one table of acts and the minimum role each takes, and ``require``.

Every front end turns its caller into a ``Principal`` and asks ``require(principal, act)`` before it
acts: the API (a bearer token from ``api.users``), the web UI (a session or a token), the CLI
(``NIGHTOWL_TOKEN``, else the operating-system user mapped by ``cli.users``) and Slack (a Slack
user mapped by the notifier's ``users``). So a role means the same thing wherever the question
comes from, and a new front end cannot grant more than the table says.

A person's role: ``ui.users.<name>.role``, else ``ui.token_role`` for an ``api.users`` token holder
(the CLI: ``cli.users.<name>``, else ``cli.default_role``); anyone named in
``approvals.approvers`` has at least the approver role. The table is the floor; the approvals
package still decides *which* approvers may answer for a service and who may release the kill
switch (``approvals.approvers['*']``). Webhook tokens are not people: they only ingest.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum

from nightowl.errors import AuthError, ForbiddenError
from nightowl.settings import Role, Settings

ORDER = (Role.VIEWER, Role.RESPONDER, Role.APPROVER, Role.ADMIN)


class Act(StrEnum):
    """Something a person asks nightowl to do (or to show)."""

    READ = "read incidents, silences, deploys, approvals, findings, KPIs and the kill switch"
    SILENCE = "create or expire silences"
    KILLSWITCH_ON = "turn the kill switch on"
    KILLSWITCH_OFF = "turn the kill switch off"
    APPROVE = "answer approval requests"
    REQUEST_APPROVAL = "put a proposed action to the approvers"
    RECORD_DEPLOY = "record deploys"
    ASSESS_DEPLOY = "assess a deploy's risk (audited; a delay notifies the owners)"
    READ_GRAPH = "read the knowledge graph: owners, on-call, who changed what"
    REFRESH_GRAPH = "refresh the knowledge graph from the connectors"
    FORGET_PERSON = "remove a person or team from the knowledge graph"
    READ_DEAD_LETTERS = "read dead letters"
    REPLAY_DEAD_LETTER = "replay dead letters"
    PURGE_DEAD_LETTERS = "purge dead letters"
    FEEDBACK = "confirm or correct a diagnosis and rate actions"
    FORGET = "delete incident memory"
    PROPOSE_RUNBOOK = "propose a drafted runbook as a pull request"
    RUN_WATCHER = "run a watcher now (its changes still go through the policy)"
    ACCEPT_FINDING = "accept a finding's risk until a date"
    RESOLVE_INCIDENT = "close an escalated incident by hand, with the reason (audited)"


MINIMUM: dict[Act, Role] = {
    Act.READ: Role.VIEWER,
    Act.SILENCE: Role.RESPONDER,
    Act.KILLSWITCH_ON: Role.RESPONDER,
    Act.KILLSWITCH_OFF: Role.APPROVER,
    Act.APPROVE: Role.APPROVER,
    Act.REQUEST_APPROVAL: Role.APPROVER,
    Act.RECORD_DEPLOY: Role.RESPONDER,
    Act.ASSESS_DEPLOY: Role.RESPONDER,
    Act.READ_GRAPH: Role.VIEWER,
    Act.REFRESH_GRAPH: Role.RESPONDER,
    Act.FORGET_PERSON: Role.ADMIN,
    Act.READ_DEAD_LETTERS: Role.RESPONDER,
    Act.REPLAY_DEAD_LETTER: Role.ADMIN,
    Act.PURGE_DEAD_LETTERS: Role.ADMIN,
    Act.FEEDBACK: Role.RESPONDER,
    Act.RESOLVE_INCIDENT: Role.RESPONDER,
    Act.FORGET: Role.ADMIN,
    Act.PROPOSE_RUNBOOK: Role.RESPONDER,
    Act.RUN_WATCHER: Role.RESPONDER,
    Act.ACCEPT_FINDING: Role.APPROVER,
}
"""The minimum role of every act: the whole authorisation rule, in one place."""


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: their name (written to the audit trail), role, and how they proved
    who they are (``token``, ``session``, ``cli``, ``slack``). Immutable."""

    name: str
    role: Role
    via: str

    def can(self, role: Role) -> bool:
        """Whether this principal's role includes ``role``."""
        return ORDER.index(self.role) >= ORDER.index(role)


def allowed(principal: Principal, act: Act) -> bool:
    """Whether ``principal`` may do ``act`` (for showing or hiding a button)."""
    return principal.can(MINIMUM[act])


def require(principal: Principal, act: Act) -> None:
    """Raise ForbiddenError (403) unless ``principal``'s role allows ``act``; the message says which
    role would, and where that role is configured."""
    if allowed(principal, act):
        return
    cli = principal.via == "cli"
    where = f"cli.users.{principal.name}" if cli else f"ui.users.{principal.name}.role"
    raise ForbiddenError(
        f"{principal.name} ({principal.role.value}) may not {act.value}: it takes the "
        f"{MINIMUM[act].value} role; ask an admin to set {where}"
    )


def role_of(settings: Settings, name: str) -> Role | None:
    """The role of a person known to the configuration (``ui.users``, ``api.users`` or
    ``approvals.approvers``), or None for a stranger."""
    if name in settings.ui.users:
        role: Role | None = settings.ui.users[name].role
    else:
        role = settings.ui.token_role if name in settings.api.users else None
    return _at_least_approver(settings, name, role)


def token_principal(settings: Settings, token: str, *, via: str = "token") -> Principal | None:
    """The ``api.users`` person whose bearer token this is (constant-time), or None."""
    for name, secret in settings.api.users.items():
        if hmac.compare_digest(token.encode(), secret.get_secret_value().encode()):
            role = role_of(settings, name)
            return Principal(name, role, via) if role is not None else None
    return None


def named_principal(settings: Settings, name: str, *, via: str) -> Principal | None:
    """A person another system vouched for (Slack's signed user id, mapped to ``name``)."""
    role = role_of(settings, name)
    return Principal(name, role, via) if role is not None else None


def cli_principal(settings: Settings, *, token: str | None, os_user: str) -> Principal:
    """Who a CLI command acts as: the holder of ``token`` (``NIGHTOWL_TOKEN``) when given, which
    must be an ``api.users`` token (AuthError otherwise); else the operating-system user, with the
    role ``cli.users`` gives them, or ``cli.default_role``."""
    if token:
        found = token_principal(settings, token.strip(), via="cli-token")
        if found is None:
            raise AuthError(
                "NIGHTOWL_TOKEN is not a token from api.users: fix it, or unset it to act as "
                f"the operating-system user {os_user!r}"
            )
        return found
    role = settings.cli.users.get(os_user, settings.cli.default_role)
    return Principal(os_user, _at_least_approver(settings, os_user, role) or role, "cli")


def _at_least_approver(settings: Settings, name: str, role: Role | None) -> Role | None:
    """Naming someone in ``approvals.approvers`` makes them an approver (or keeps them admin)."""
    named = any(name in people for people in settings.approvals.approvers.values())
    if not named:
        return role
    if role is not None and ORDER.index(role) >= ORDER.index(Role.APPROVER):
        return role
    return Role.APPROVER
