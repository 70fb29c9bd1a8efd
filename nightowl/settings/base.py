"""The base of every settings section: frozen, unknown keys refused; and a configured plugin."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


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
