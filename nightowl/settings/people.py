"""Settings of the people side: notification routes, the web UI's users and roles, the CLI's."""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum

from pydantic import ConfigDict, Field, SecretStr, field_validator

from nightowl.settings.base import PluginConfig, Section, http_url


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

    @field_validator("password_hash")
    @classmethod
    def _a_hash_the_ui_accepts(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (problem := hash_problem(value.get_secret_value())):
            raise ValueError(
                f"not a password hash the UI accepts ({problem}); expected "
                "scrypt$n$r$p$salt$hash or pbkdf2_sha256$iterations$salt$hash — "
                "make one with `nightowl hash-password`"
            )
        return value


SCRYPT_MAX_MEMORY = 2**26
"""The memory bound ``nightowl.ui.passwords`` verifies scrypt hashes with (128·n·r bytes)."""


def hash_problem(stored: str) -> str | None:
    """What keeps ``stored`` from being a hash ``nightowl.ui.passwords.verify`` can check, if
    anything (never the hash itself: the answer is printed)."""
    scheme, *fields = stored.split("$")
    if scheme == "scrypt" and len(fields) == 5:
        numbers, encoded = fields[:3], fields[3:]
    elif scheme == "pbkdf2_sha256" and len(fields) == 3:
        numbers, encoded = fields[:1], fields[1:]
    elif scheme in ("scrypt", "pbkdf2_sha256"):
        return f"a {scheme} hash with the wrong number of '$'-separated fields"
    else:
        return "unknown scheme"
    if not all(f.isdigit() and int(f) > 0 for f in numbers):
        return f"the {scheme} parameters must be positive whole numbers"
    if scheme == "scrypt":
        n, r = int(numbers[0]), int(numbers[1])
        if n < 2 or n & (n - 1):
            return "scrypt's n must be a power of 2"
        if 128 * n * r > SCRYPT_MAX_MEMORY:
            return f"scrypt's n·r needs more than {SCRYPT_MAX_MEMORY // 2**20} MiB"
    try:
        salt, digest = (base64.urlsafe_b64decode(f + "=" * (-len(f) % 4)) for f in encoded)
    except (binascii.Error, ValueError):
        return "the salt or hash is not URL-safe base64"
    return None if salt and len(digest) >= 16 else "the salt or hash is too short"


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

    _public_url = field_validator("public_url")(http_url)


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
