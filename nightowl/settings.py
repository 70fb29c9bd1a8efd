"""Settings: one ``nightowl.yaml``, grouped pydantic models, embedded defaults.

Where the file comes from: ``--config`` or ``NIGHTOWL_CONFIG``; with neither, the embedded defaults
are complete and no file is needed. Strings may contain ``${VAR}`` or ``${VAR:-default}``, replaced
from the environment so that secrets stay out of the file. ``NIGHTOWL_DATA_DIR`` and
``NIGHTOWL_WEBHOOK_TOKEN`` are read for a quick start. Nothing here runs at import time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from nightowl.domain import Autonomy, Stage
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


class WebhookSettings(Section):
    tokens: dict[str, list[SecretStr]] = Field(
        default_factory=dict,
        description="Bearer tokens accepted per source; the key '*' applies to every source.",
    )


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


class AnalysisSettings(Section):
    deploy_window_minutes: int = Field(default=30, ge=1)
    min_confidence: float = Field(default=0.5, ge=0, le=1)


class PolicySettings(Section):
    autonomy: Autonomy = Autonomy.SUGGEST
    service_autonomy: dict[str, Autonomy] = Field(default_factory=dict)


class ActionSettings(Section):
    dry_run: bool = True
    driver: str = "simulated"


class VerifySettings(Section):
    window_seconds: int = Field(default=300, ge=10)
    settle_seconds: int = Field(default=60, ge=0)
    tolerance: float = Field(
        default=1.5, gt=1, description="Recovered when within tolerance × baseline."
    )


class NotifySettings(Section):
    notifiers: list[PluginConfig] = Field(default_factory=list)


class Settings(Section):
    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    webhooks: WebhookSettings = WebhookSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    gather: GatherSettings = GatherSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    policy: PolicySettings = PolicySettings()
    actions: ActionSettings = ActionSettings()
    verify: VerifySettings = VerifySettings()
    notify: NotifySettings = NotifySettings()
    connectors: list[PluginConfig] = Field(default_factory=list)

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{self.data_dir / 'nightowl.sqlite'}"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

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
        webhooks = raw.setdefault("webhooks", {}) or {}
        raw["webhooks"] = webhooks
        tokens = webhooks.setdefault("tokens", {}) or {}
        webhooks["tokens"] = tokens
        tokens.setdefault("*", []).append(token)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc), where=where) from None


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
            if name in env:
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
