"""The runbook format: when it applies, what it does (actions, decisions, waits, verification),
whether a human must approve it, and how to undo it.

A step is one of::

    - action: rollback                 # an action for a driver, with parameters and a risk tier
      params: {to_version: $previous_version}
      risk: low
    - wait: 30                         # seconds, before the next step
    - decide:                          # a branch on incident facts, resolved when planning
        when: "$deploy != null"
        then: [{action: rollback}]
        else: [{action: restart}]
    - verify: {window_seconds: 300, settle_seconds: 60}   # how verification judges this runbook

Parameter values and conditions may name facts nightowl derived itself (FACTS), never alert text.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nightowl.domain import Category, Risk, Scalar
from nightowl.domain.patterns import compile_pattern
from nightowl.errors import InputError

FACTS = (
    "service",
    "deploy",
    "previous_version",
    "fault_kind",
    "category",
    "severity",
    "confidence",
    "incident",
    "model",
    "alias",
    "model_version",
)
"""Facts a runbook may name as ``$fact``."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Spec):
    """When a runbook applies: every condition given must hold (an empty one does not constrain).

    ``fault_kinds`` is matched against the diagnosed root cause, ``categories`` against triage;
    ``service_labels`` must all be carried by one alert; ``error_pattern`` is searched in the
    error log evidence. A trigger with none of fault kinds, categories or services matches every
    incident, which the linter reports.
    """

    fault_kinds: list[str] = []
    categories: list[Category] = []
    services: list[str] = Field(default=[], description="Empty means every service.")
    service_labels: dict[str, str] = Field(
        default={}, description="Labels every one of which some alert of the incident carries."
    )
    error_pattern: str | None = Field(
        default=None,
        description="A regular expression (RE2 syntax) searched in the error log evidence.",
    )

    @field_validator("error_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                compile_pattern(value)
            except InputError as exc:
                raise ValueError(str(exc)) from None
        return value


class Step(_Spec):
    """An action for a driver."""

    action: str
    params: dict[str, Scalar] = Field(
        default={},
        description="Values may name incident facts: '$service', '$deploy', '$previous_version'.",
    )
    risk: Risk = Risk.LOW


class WaitStep(_Spec):
    """A pause between steps, planned as a read-only ``wait`` action (at most an hour)."""

    wait: float = Field(gt=0, le=3600, description="Seconds to wait before the next step.")


class VerifyWindow(_Spec):
    """How verify judges this runbook: wait ``settle_seconds`` after the actions, then watch the
    symptoms for ``window_seconds``.
    """

    window_seconds: int = Field(default=300, ge=10)
    settle_seconds: int = Field(default=60, ge=0)


class VerifyStep(_Spec):
    """The ``verify:`` step: the runbook's own verification window."""

    verify: VerifyWindow


class Branch(_Spec):
    """A condition on incident facts (``$deploy != null``), resolved when planning: ``then``
    steps when it holds, ``else`` steps otherwise.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    when: str
    then: list[AnyStep] = []
    otherwise: list[AnyStep] = Field(default=[], alias="else")


class DecisionStep(_Spec):
    """The ``decide:`` step: one branch."""

    decide: Branch


AnyStep = Annotated[Step | WaitStep | VerifyStep | DecisionStep, Field(union_mode="left_to_right")]


class Runbook(_Spec):
    """A named remedy: when it applies, its steps in order, and how to undo it.

    ``rollback`` is a note for humans or steps to run after the drivers restore the pre-state;
    ``requires_approval`` makes the gate ask a human before any of its actions.
    """

    name: str
    description: str
    trigger: Trigger
    steps: list[AnyStep] = Field(min_length=1)
    rollback: str | list[Step] = Field(
        description="A note for humans, or steps to run after the drivers restore the pre-state."
    )
    requires_approval: bool = False


Branch.model_rebuild()
