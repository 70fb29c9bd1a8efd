"""Settings: one ``nightowl.yaml``, grouped pydantic models, embedded defaults.

Where the file comes from: ``--config`` or ``NIGHTOWL_CONFIG``; with neither, the embedded defaults
are complete and no file is needed. Strings may contain ``${VAR}`` or ``${VAR:-default}``, replaced
from the environment so that secrets stay out of the file. ``NIGHTOWL_DATA_DIR`` and
``NIGHTOWL_WEBHOOK_TOKEN`` are read for a quick start. Nothing here runs at import time.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from nightowl.domain import Autonomy, Risk, Stage
from nightowl.errors import ConfigError

ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PluginConfig(BaseModel):
    """One configured integration: ``name``, ``kind``, and the keys its own module validates."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    kind: str

    def options(self) -> dict[str, Any]:
        """The integration-specific keys, for the integration's own config model."""
        return dict(self.model_extra or {})


class StoreSettings(Section):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite (WAL) at <data_dir>/nightowl.sqlite.",
    )


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class SourceAuth(Section):
    """How one source proves who it is. With none configured, a bearer token is required."""

    kind: Literal["bearer", "hmac", "basic"] = "bearer"
    secrets: list[SecretStr] = Field(
        default_factory=list,
        description="hmac: shared secrets (several during rotation); the signature header is per source.",
    )
    users: dict[str, SecretStr] = Field(default_factory=dict, description="basic: user → password.")


class GenericMapping(Section):
    """How to read a ``generic`` JSON alert: JMESPath expressions over the body."""

    alerts: str = Field(default="alerts || [@]", description="Where the list of alerts is.")
    name: str = "name || alertname || title"
    status: str = "status"
    labels: str = "labels"
    annotations: str = "annotations"
    starts_at: str = "startsAt || starts_at || timestamp"
    ends_at: str = "endsAt || ends_at"
    fingerprint: str = "fingerprint || id"
    resolved_values: list[str] = ["resolved", "ok", "closed", "recovered", "inactive"]


class InhibitRule(Section):
    """While a source alert fires, matching target alerts with equal ``equal`` labels are muted."""

    source_matchers: list[str]
    target_matchers: list[str]
    equal: list[str] = Field(default_factory=list)


class IntakeSettings(Section):
    group_by: list[str] = Field(
        default_factory=lambda: ["alertname", "service"],
        description="Labels that define a group; ['...'] groups by every label.",
    )
    group_wait_seconds: float = Field(default=5.0, ge=0)
    group_interval_seconds: float = Field(default=300.0, gt=0)
    repeat_interval_seconds: float = Field(default=4 * 3600.0, gt=0)
    correlation_window_minutes: float = Field(default=30.0, gt=0)
    topology: dict[str, list[str]] = Field(
        default_factory=dict, description="caller → callees, for correlating related services."
    )
    inhibit_rules: list[InhibitRule] = Field(default_factory=list)
    storm_alerts_per_minute: int = Field(default=600, ge=1)
    flap_transitions: int = Field(default=4, ge=2)
    flap_window_minutes: float = Field(default=10.0, gt=0)
    batch_max: int = Field(default=1000, ge=1)
    batch_wait_ms: float = Field(default=2.0, ge=0)


class WebhookSettings(Section):
    tokens: dict[str, list[SecretStr]] = Field(
        default_factory=dict,
        description="Bearer tokens accepted per source; the key '*' applies to every source.",
    )
    auth: dict[str, SourceAuth] = Field(
        default_factory=dict, description="Per source: bearer (default), hmac or basic."
    )
    generic: GenericMapping = GenericMapping()
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)


class WorkflowSettings(Section):
    pause_after_stage: Stage | None = Field(
        default=None, description="Chaos testing: sleep after this stage completes."
    )
    pause_seconds: float = 0.0


class GatherSettings(Section):
    lookback_minutes: int = Field(default=60, ge=1)
    lookahead_minutes: int = Field(default=5, ge=0)
    step_seconds: int = Field(default=30, ge=1)
    call_timeout_seconds: float = Field(default=10.0, gt=0)
    deadline_seconds: float = Field(
        default=30.0, gt=0, description="Total budget of the gather stage, all calls included."
    )


class AnalysisSettings(Section):
    deploy_window_minutes: int = Field(default=30, ge=1)
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    look_again: int = Field(
        default=0,
        ge=0,
        le=10,
        description="When no root cause reaches min_confidence: gather and diagnose again this "
        "many times (signals still developing) before escalating. 0: escalate at once.",
    )
    look_again_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="The wait before each look again."
    )


class BlastRadiusSettings(Section):
    max_pods_at_once: int = Field(default=1, ge=1, description="Pods one action may take down.")
    max_scale_factor: float = Field(default=2.0, ge=1, description="Largest scale up or down.")
    max_capacity_fraction: float = Field(
        default=0.10, gt=0, le=1, description="Capacity one action may remove without approval."
    )
    min_replicas: int = Field(default=1, ge=0)
    max_replicas: int = Field(default=20, ge=1)


class BreakerSettings(Section):
    per_service_per_hour: int = Field(default=3, ge=0, description="Writes per service per hour.")
    per_incident: int = Field(default=5, ge=0, description="Writes per incident in total.")


class FreezeWindow(Section):
    """A change freeze: an absolute range (``start``/``end``) or a cron expression of minutes."""

    name: str
    start: datetime | None = None
    end: datetime | None = None
    cron: str | None = Field(
        default=None, description="'minute hour day month weekday' (UTC); matching minutes freeze."
    )
    services: list[str] = Field(default_factory=list, description="Empty means every service.")

    @model_validator(mode="after")
    def _one_form(self) -> FreezeWindow:
        if (self.cron is None) == (self.start is None or self.end is None):
            raise ValueError("give either cron, or both start and end")
        return self


class PolicySettings(Section):
    autonomy: Autonomy = Autonomy.SUGGEST
    service_autonomy: dict[str, Autonomy] = Field(default_factory=dict)
    criticality: dict[str, Literal["low", "medium", "high", "critical"]] = Field(
        default_factory=dict, description="Per service; unlisted services are 'medium'."
    )
    tiers: dict[str, Risk] = Field(
        default_factory=dict, description="Action kind → tier, overriding the runbook's risk."
    )
    blast_radius: BlastRadiusSettings = BlastRadiusSettings()
    breakers: BreakerSettings = BreakerSettings()
    freeze: list[FreezeWindow] = Field(default_factory=list)
    cedar: list[Path] = Field(default_factory=list, description="Files of user Cedar policies.")


class ApprovalSettings(Section):
    timeout_seconds: int = Field(default=3600, ge=1, description="Unanswered requests expire.")
    approvers: dict[str, list[str]] = Field(
        default_factory=dict, description="Service → users who may approve; '*' for every service."
    )


class RunbookSettings(Section):
    paths: list[Path] = Field(default_factory=list, description="Directories of user runbooks.")


class ApiSettings(Section):
    users: dict[str, SecretStr] = Field(
        default_factory=dict, description="User name → bearer token for the approval/control API."
    )


class ActionSettings(Section):
    dry_run: bool = True
    driver: str = "simulated"
    drivers: list[PluginConfig] = Field(default_factory=list)
    routes: dict[str, str] = Field(default_factory=dict, description="Service → driver name.")


class VerifySettings(Section):
    window_seconds: int = Field(default=300, ge=10)
    settle_seconds: int = Field(default=60, ge=0)
    tolerance: float = Field(
        default=1.5, gt=1, description="Recovered when within tolerance × baseline."
    )
    max_cycles: int = Field(
        default=2, ge=1, description="Diagnose → act → verify cycles before escalating."
    )


class RouteMatch(Section):
    """Which messages a route takes: every listed key must match (empty lists match anything)."""

    service: list[str] = Field(default_factory=list, description="Services (exact names).")
    severity: list[str] = Field(default_factory=list, description="critical, high, warning, info.")


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
    """What a person may do in the web UI; each role includes the ones before it."""

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


class LlmModels(Section):
    """Model names per tier: a cheap one for routing and summaries, a strong one for diagnosis."""

    cheap: str | None = Field(default=None, description="Default: llm.model.")
    strong: str | None = Field(default=None, description="Default: llm.model.")


class LlmPrice(Section):
    """USD per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0, description="Default: input.")


class LlmBudget(Section):
    max_tokens: int = Field(default=200_000, ge=0, description="Per incident, every call included.")
    max_cost_usd: float = Field(default=1.0, ge=0, description="Per incident, every call included.")
    max_requests: int = Field(default=12, ge=1, description="Model requests per agent run.")


class LlmSettings(Section):
    """The optional LLM agent (docs/llm.md). ``none``: deterministic analysis only."""

    provider: Literal["none", "openai", "openai-compatible", "anthropic", "bedrock"] = "none"
    model: str | None = None
    models: LlmModels = LlmModels()
    base_url: str | None = Field(
        default=None, description="openai-compatible: the server's /v1 URL."
    )
    api_key: SecretStr | None = None
    region: str | None = Field(default=None, description="bedrock: the AWS region.")
    timeout_seconds: float = Field(default=60.0, gt=0)
    budget: LlmBudget = LlmBudget()
    prices: dict[str, LlmPrice] = Field(
        default_factory=dict, description="Model → price, over the built-in table."
    )
    prompt_cache: bool = Field(default=True, description="Where the provider supports it.")
    redact_ips: bool = False
    redact_hostnames: bool = False
    tool_output_chars: int = Field(default=4000, ge=200, description="Per tool result.")
    version: str = Field(default="v1", description="Prompt and tool-definition version.")
    canary_version: str | None = None
    canary_percent: float = Field(default=0.0, ge=0, le=100)

    @model_validator(mode="after")
    def _complete(self) -> LlmSettings:
        if self.provider != "none" and not (
            self.model or (self.models.cheap and self.models.strong)
        ):
            raise ValueError(
                f"provider {self.provider} needs llm.model (or llm.models.cheap and strong)"
            )
        if self.provider == "openai-compatible" and not self.base_url:
            raise ValueError(
                "provider openai-compatible needs llm.base_url (e.g. http://localhost:11434/v1)"
            )
        return self


class Settings(Section):
    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    webhooks: WebhookSettings = WebhookSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    intake: IntakeSettings = IntakeSettings()
    gather: GatherSettings = GatherSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    policy: PolicySettings = PolicySettings()
    actions: ActionSettings = ActionSettings()
    verify: VerifySettings = VerifySettings()
    approvals: ApprovalSettings = ApprovalSettings()
    runbooks: RunbookSettings = RunbookSettings()
    api: ApiSettings = ApiSettings()
    notify: NotifySettings = NotifySettings()
    ui: UiSettings = UiSettings()
    llm: LlmSettings = LlmSettings()
    connectors: list[PluginConfig] = Field(default_factory=list)

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{self.data_dir / 'nightowl.sqlite'}"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    def api_user(self, token: str) -> str | None:
        """The user whose API bearer token this is, if any (constant-time comparison)."""
        for user, secret in self.api.users.items():
            if hmac.compare_digest(token.encode(), secret.get_secret_value().encode()):
                return user
        return None

    def role_of(self, user: str) -> Role | None:
        """A person's UI role: ``ui.users``, else ``ui.token_role`` for an API user, else None."""
        if user in self.ui.users:
            return self.ui.users[user].role
        return self.ui.token_role if user in self.api.users else None

    def webhook_tokens(self, source: str) -> list[str]:
        tokens = [*self.webhooks.tokens.get(source, []), *self.webhooks.tokens.get("*", [])]
        return [t.get_secret_value() for t in tokens]


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "nightowl"


def load_settings(
    config: Path | None = None,
    data_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Load settings from the file (if any), the environment and explicit overrides.

    Raises ConfigError naming the file and key for anything invalid.
    """
    env = os.environ if environ is None else environ
    path = config or (Path(env["NIGHTOWL_CONFIG"]) if env.get("NIGHTOWL_CONFIG") else None)
    where = str(path) if path else "embedded defaults"
    raw: dict[str, Any] = _read_yaml(path) if path else {}
    raw = _interpolate(raw, env, where, "")
    if data_dir is not None:
        raw["data_dir"] = str(data_dir)
    elif env.get("NIGHTOWL_DATA_DIR"):
        raw["data_dir"] = env["NIGHTOWL_DATA_DIR"]
    if token := env.get("NIGHTOWL_WEBHOOK_TOKEN"):
        _add_shared_token(raw, token)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc), where=where) from None


def _add_shared_token(raw: dict[str, Any], token: str) -> None:
    """Accept ``token`` for every source; a section of the wrong shape is left for validation."""
    webhooks = raw.get("webhooks")
    if webhooks is None:
        webhooks = raw["webhooks"] = {}
    tokens = webhooks.get("tokens") if isinstance(webhooks, dict) else None
    if isinstance(webhooks, dict) and tokens is None:
        tokens = webhooks["tokens"] = {}
    if not isinstance(tokens, dict):
        return
    shared = tokens.get("*")
    if shared is None:
        tokens["*"] = [token]
    elif isinstance(shared, list):
        shared.append(token)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "file not found; check --config or NIGHTOWL_CONFIG", where=str(path)
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror}", where=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(
            f"{at}not valid YAML ({getattr(exc, 'problem', exc)})", where=str(path)
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("the top level must be a mapping of sections", where=str(path))
    return data


def _interpolate(value: Any, env: Mapping[str, str], where: str, key: str) -> Any:
    if isinstance(value, dict):
        return {
            k: _interpolate(v, env, where, f"{key}.{k}" if key else str(k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_interpolate(v, env, where, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            # As in the shell and Compose: ${VAR:-default} also takes the default when VAR is empty.
            if name in env and (env[name] or default is None):
                return env[name]
            if default is not None:
                return default
            raise ConfigError(
                f"environment variable {name} is not set (use ${{{name}:-default}} for a default)",
                where=f"{where}: {key}",
            )

        return ENV_PATTERN.sub(replace, value)
    return value


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
        lines.append(f"{loc}: {err['msg']}{shown}")
    return "; ".join(lines)
