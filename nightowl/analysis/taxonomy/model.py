"""What a fault kind is: its evidence signature (weighted features) and the remediation it calls for."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signature(_Spec):
    """One fault kind. ``features`` maps a feature name to its weight (negative: it refutes).

    A kind is proposed for a service only when one of ``requires`` is present there; a supported
    hypothesis of this kind outranks a hypothesis of a ``subsumes`` kind on the same service (a
    crash loop after a deploy is a crash loop, not merely a bad deploy).
    """

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    remediation: list[str] = Field(min_length=1, description="Action kinds, preferred first.")
    rule: Literal["signature", "builtin"] = "signature"
    prior: float = Field(default=0.1, ge=0, le=1)
    requires: list[str] = []
    features: dict[str, float] = {}
    subsumes: list[str] = []


class Taxonomy(_Spec):
    """Every known kind and the log patterns its features read. Later sources override earlier."""

    log_patterns: dict[str, list[str]] = {}
    kinds: list[Signature] = []

    def kind(self, name: str) -> Signature | None:
        return next((k for k in self.kinds if k.kind == name), None)

    def merged(self, other: Taxonomy) -> Taxonomy:
        kinds = {k.kind: k for k in self.kinds} | {k.kind: k for k in other.kinds}
        return Taxonomy(
            log_patterns={**self.log_patterns, **other.log_patterns}, kinds=list(kinds.values())
        )

    def probe_texts(self, feature: str) -> list[str]:
        """The log texts that would confirm a ``log:``/``callers_log:`` feature."""
        _, _, pattern = feature.partition(":")
        return (
            self.log_patterns.get(pattern, [])
            if feature.startswith(("log:", "callers_log:"))
            else []
        )
