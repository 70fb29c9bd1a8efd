"""What the agent must return, validated by pydantic: a diagnosis, proposals, a narrative.

Output that does not validate is sent back to the model with the errors (pydantic-ai's retries)
and counted as rejected; when the retries run out, the deterministic diagnosis stands.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nightowl.agent.toolsets import Proposal


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Claim(_Out):
    kind: str = Field(
        pattern=r"^[a-z][a-z0-9_]{2,48}$", description="A fault kind, e.g. bad_deploy."
    )
    service: str = Field(min_length=1, max_length=200)
    deploy: str | None = Field(
        default=None, description="The version that caused it, when a deploy did."
    )
    summary: str = Field(min_length=1, max_length=600)


class Finding(_Out):
    """The diagnostician's answer."""

    root_cause: Claim | None = Field(description="None when the evidence is not enough.")
    confidence: float = Field(ge=0, le=1)
    evidence: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="call_ids of the tool calls that support the root cause.",
    )
    risk: Literal["low", "medium", "high"] = "medium"
    rollback_plan: str = Field(default="", max_length=1000)


class Proposals(_Out):
    """The remediator's answer: the actions it proposed (recorded, never executed)."""

    actions: list[Proposal] = Field(default_factory=list, max_length=3)


class LlmDiagnosis(_Out):
    """The structured diagnosis of one LLM round: the finding and the proposals together."""

    root_cause: Claim | None
    confidence: float = Field(ge=0, le=1)
    evidence: list[str]
    proposed_actions: list[Proposal]
    risk: Literal["low", "medium", "high"]
    rollback_plan: str


class Narrative(_Out):
    """The communicator's answer."""

    summary: str = Field(max_length=400)
    status_update: str = Field(max_length=1500)
    narrative: str = Field(max_length=8000)


class RunbookProse(_Out):
    """The communicator's prose for a drafted runbook (its ``description``; the steps, trigger
    and citations stay nightowl's own)."""

    summary: str = Field(max_length=200)
    prose: str = Field(max_length=2000)
