"""Settings of the people side: notification routes, the web UI's users and roles, the CLI's."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field, SecretStr

from nightowl.settings.base import PluginConfig, Section


class RouteMatch(Section):
    """Which messages a route takes: every listed key must match (empty lists match anything)."""

    service: list[str] = Field(default_factory=list, description="Services (exact names).")
    severity: list[str] = Field(default_factory=list, description="critical, high, warning, info.")
    owner: list[str] = Field(
        default_factory=list,
        description="Owners or on-call of the incident's service (knowledge graph), any of them.",
    )


class NotifyRoute(Section):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    match: RouteMatch = RouteMatch()
    notifiers: list[str] = Field(min_length=1, description="Names of notify.notifiers.")
    continue_matching: bool = Field(
        default=False, alias="continue", description="Also try the routes after this one."
    )


class NotifySettings(Section):
    notifiers: list[PluginConfig] = Field(default_factory=list)
    routes: list[NotifyRoute] = Field(
        default_factory=list,
        description="First matching route wins (unless continue); no routes: every notifier.",
    )
    default: list[str] | None = Field(
        default=None, description="Notifiers for messages no route matches; default: all."
    )


class Role(StrEnum):
    """What a person may do (API, UI, CLI, Slack); each role includes the ones before it. The acts
    each role allows are one table, ``nightowl.app.access.MINIMUM``."""

    VIEWER = "viewer"
    RESPONDER = "responder"
    APPROVER = "approver"
    ADMIN = "admin"


class UiUser(Section):
    password_hash: SecretStr | None = Field(
        default=None, description="From `nightowl hash-password`; none: API token only."
    )
    role: Role = Role.VIEWER


class UiSettings(Section):
    users: dict[str, UiUser] = Field(default_factory=dict)
    token_role: Role = Field(
        default=Role.RESPONDER, description="Role of api.users token holders not in ui.users."
    )
    session_secret: SecretStr | None = Field(
        default=None, description="Signs session cookies; default: a key kept in the data dir."
    )
    session_hours: float = Field(default=12.0, gt=0)
    secure_cookies: bool = Field(default=False, description="Set when served over HTTPS.")
    public_url: str | None = Field(
        default=None, description="External URL of nightowl, for links in notifications."
    )


class CliSettings(Section):
    """Who the CLI acts as: ``NIGHTOWL_TOKEN`` (an api.users token), else the OS user, whose role is
    ``cli.users`` or ``cli.default_role``."""

    users: dict[str, Role] = Field(
        default_factory=dict,
        description="OS user name → role, for CLI commands run without a token.",
    )
    default_role: Role = Field(
        default=Role.VIEWER, description="Role of OS users not in cli.users."
    )


class GraphSettings(Section):
    """The knowledge graph (``docs/memory.md``): who owns and who is on call for each service, as
    configured, and how often the connectors' view (topology, CODEOWNERS, Kubernetes annotations,
    deploys) is read into it."""

    owners: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Service → owners: people, or teams written '@org/team' or 'team:name'.",
    )
    on_call: dict[str, list[str]] = Field(
        default_factory=dict, description="Service → people on call for it."
    )
    refresh_seconds: int = Field(
        default=300, ge=0, description="How often the server refreshes from connectors; 0: never."
    )
    changes_hours: float = Field(
        default=24.0, gt=0, description="How far back `graph show` and the stages read deploys."
    )
    retention_days: int = Field(
        default=400,
        ge=1,
        description="Deploys, incidents, actions and decisions older than this are removed.",
    )
