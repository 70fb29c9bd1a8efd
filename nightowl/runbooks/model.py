"""The runbook format: when it applies, what it does, how to undo it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nightowl.domain import Category, Risk, Scalar


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Spec):
    fault_kinds: list[str] = []
    categories: list[Category] = []
    services: list[str] = Field(default=[], description="Empty means every service.")


class Step(_Spec):
    action: str
    params: dict[str, Scalar] = Field(
        default={},
        description="Values may name incident facts: '$service', '$deploy', '$previous_version'.",
    )
    risk: Risk = Risk.LOW


class Runbook(_Spec):
    name: str
    description: str
    trigger: Trigger
    steps: list[Step] = Field(min_length=1)
    rollback: str
    requires_approval: bool = False
