"""Loading ``nightowl.yaml``: ``${VAR}`` / ``${VAR:-default}`` interpolation, the quick-start
environment variables, and validation errors that name file, key and reason."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from nightowl.errors import ConfigError
from nightowl.settings import strict_yaml
from nightowl.settings.model import Settings

ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


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
    if (level := env.get("NIGHTOWL_LOG_LEVEL")) and isinstance(raw.setdefault("logging", {}), dict):
        raw["logging"]["level"] = level
    if token := env.get("NIGHTOWL_WEBHOOK_TOKEN"):
        _add_shared_token(raw, token)
    if (key := env.get("NIGHTOWL_AUDIT_KEY")) and isinstance(raw.setdefault("audit", {}), dict):
        raw["audit"].setdefault("key", key)
    if (pinned := env.get("NIGHTOWL_APPLICATION_VERSION")) and isinstance(
        raw.setdefault("store", {}), dict
    ):
        raw["store"].setdefault("application_version", pinned)
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
        data = strict_yaml.load(text)
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
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{loc}: {err['msg']}{_shown(err['type'], err.get('input'), err['msg'])}")
    return "; ".join(lines)


SHOWN_ERRORS = frozenset(
    {"int_parsing", "int_from_float", "float_parsing", "bool_parsing", "literal_error", "enum"}
)
"""Errors of fields whose value is a number, a flag or one of fixed choices: never a secret."""


def _shown(kind: str, got: object, message: str = "") -> str:
    """What was given, only where it cannot be a secret.

    This message is printed and logged: a secret under a misspelled key (``extra_forbidden``), a
    token where a list was expected, an unquoted numeric password where a string was expected, must
    not appear in it. A validator's own message that quotes the value (``cron '61 * * * *': …``,
    a field that is never a secret) needs no "not shown" after it.
    """
    if not isinstance(got, str | bool | int | float):
        return ""
    if kind in SHOWN_ERRORS:
        return f" (got {got if not isinstance(got, str) else got[:40]!r})"
    if isinstance(got, str):
        if got and f"{got!r}" in message:
            return ""
        return f" (got a string of {len(got)} character{'' if len(got) == 1 else 's'}, not shown)"
    return f" (got a {type(got).__name__}, not shown)"
