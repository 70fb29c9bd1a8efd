"""Versioned prompts and tool definitions: ``prompts/<version>/manifest.yaml`` and ``*.md``.

A version is a directory; what the agent says and which tools each role holds change only by adding
one. Which version an incident gets is decided once from its id: ``llm.canary_percent`` percent of
incidents (by a stable hash, so a resumed or re-diagnosed incident keeps its version) get
``llm.canary_version``, the rest ``llm.version``. The version is recorded with every agent run.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from nightowl.errors import ConfigError
from nightowl.settings import LlmSettings

PROMPTS_DIR = Path(__file__).parent / "prompts"


class Role(StrEnum):
    """Least privilege: each role holds only its own toolsets (see the manifest)."""

    OBSERVER = "observer"
    DIAGNOSTICIAN = "diagnostician"
    REMEDIATOR = "remediator"
    COMMUNICATOR = "communicator"


class Toolset(StrEnum):
    """The groups of read tools a role may be given: what any observer reads, what a
    diagnostician adds, and the remediator's proposal tool.
    """

    OBSERVER = "observer"
    DIAGNOSTICIAN = "diagnostician"
    REMEDIATOR = "remediator"


class RoleSpec(BaseModel):
    """One role in a manifest: its prompt file, the model tier it runs on, and its toolsets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str
    tier: Literal["cheap", "strong"]
    toolsets: tuple[Toolset, ...]


class Manifest(BaseModel):
    """A prompt version's ``manifest.yaml``: its version, every role, and the tool descriptions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    roles: dict[Role, RoleSpec]
    tools: dict[str, str]


class Prompts:
    """One version's prompts, read from its directory."""

    def __init__(self, version: str, root: Path = PROMPTS_DIR) -> None:
        self.directory = root / version
        path = self.directory / "manifest.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.name for p in root.iterdir() if p.is_dir()))
            raise ConfigError(f"no agent version {version!r}; known: {known}", where="llm.version")
        try:
            self.manifest = Manifest.model_validate(yaml.safe_load(path.read_text("utf-8")))
        except (ValidationError, yaml.YAMLError) as exc:
            raise ConfigError(f"invalid manifest: {exc}", where=str(path)) from None
        if self.manifest.version != version or set(self.manifest.roles) != set(Role):
            raise ConfigError(
                f"the manifest must name version {version!r} and every role", where=str(path)
            )
        self.version = version

    def spec(self, role: Role) -> RoleSpec:
        """The manifest's entry for ``role``."""
        return self.manifest.roles[role]

    def instructions(self, role: Role) -> str:
        """The preamble every role shares, then the role's own prompt."""
        preamble = (self.directory / "preamble.md").read_text("utf-8").strip()
        own = (self.directory / self.spec(role).prompt).read_text("utf-8").strip()
        return f"{preamble}\n\n{own}\n"

    def tool(self, name: str) -> str:
        """The description of a tool in this version (a tool missing from it is a bug here)."""
        return " ".join(self.manifest.tools[name].split())


@cache
def load(version: str) -> Prompts:
    """The prompts of ``version``; ConfigError naming the known versions when it does not exist."""
    return Prompts(version)


def version_for(incident_id: str, settings: LlmSettings) -> str:
    """The agent version of an incident: the canary for a stable share of ids, else the default."""
    if not settings.canary_version or settings.canary_percent <= 0:
        return settings.version
    digest = hashlib.sha256(incident_id.encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % 10_000 / 100  # 0.00 … 99.99
    return settings.canary_version if bucket < settings.canary_percent else settings.version
