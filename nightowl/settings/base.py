"""The base of every settings section: frozen, unknown keys refused; a configured plugin; and the
check of a URL an incident will follow."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

T = TypeVar("T")


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


def http_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http:// or https:// URL with a host (or None); ValueError
    naming it otherwise."""
    if value is not None and not _is_http_url(value):
        raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
    return value


def secret_http_url(value: T) -> T:
    """As ``http_url`` for a URL that may carry a secret (a webhook's): the error never shows it."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(text, str) and not _is_http_url(text):
        raise ValueError("is not an http:// or https:// URL with a host (not shown: may be secret)")
    return value


def _is_http_url(value: str) -> bool:
    try:
        url = urlsplit(value)
        host, _ = url.hostname, url.port  # port: ValueError when not a number in range
    except ValueError:
        return False
    return bool(host) and url.scheme in ("http", "https")
