"""Settings of the safety policy and actions: autonomy, blast radius, breakers, change freezes,
approvers, action drivers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from nightowl.domain import Autonomy, Risk, utc
from nightowl.settings.base import PluginConfig, Section
from nightowl.settings.cron import check_cron


class BlastRadiusSettings(Section):
    max_pods_at_once: int = Field(default=1, ge=1, description="Pods one action may take down.")
    max_scale_factor: float = Field(default=2.0, ge=1, description="Largest scale up or down.")
    max_capacity_fraction: float = Field(
        default=0.10, gt=0, le=1, description="Capacity one action may remove without approval."
    )
    min_replicas: int = Field(default=1, ge=0)
    max_replicas: int = Field(default=20, ge=1)
    max_dependents: int = Field(
        default=10,
        ge=0,
        description="A write on a service more services depend on (graph fan-in) asks a human.",
    )


class BreakerSettings(Section):
    per_service_per_hour: int = Field(default=3, ge=0, description="Writes per service per hour.")
    per_incident: int = Field(default=5, ge=0, description="Writes per incident in total.")
    other_incident_minutes: int = Field(
        default=30,
        ge=0,
        description="A write another incident made this recently on a service of this incident "
        "(its alerts' and its evidence's) needs a human: one fault, one remediation. 0: off.",
    )


class FreezeWindow(Section):
    """A change freeze: an absolute range (``start``/``end``) or a cron expression of minutes."""

    name: str
    start: datetime | None = None
    end: datetime | None = None
    cron: str | None = Field(
        default=None, description="'minute hour day month weekday' (UTC); matching minutes freeze."
    )
    services: list[str] = Field(default_factory=list, description="Empty means every service.")

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, cron: str | None) -> str | None:
        return None if cron is None else check_cron(cron)

    @model_validator(mode="after")
    def _one_form(self) -> FreezeWindow:
        if (self.cron is None) == (self.start is None or self.end is None):
            raise ValueError(f"freeze {self.name!r}: give either cron, or both start and end")
        if self.start is not None and self.end is not None and utc(self.end) <= utc(self.start):
            raise ValueError(
                f"freeze {self.name!r} ends ({self.end.isoformat()}) before or when it starts "
                f"({self.start.isoformat()}): swap them, or fix the date"
            )
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


class ActionSettings(Section):
    dry_run: bool = True
    driver: str = "simulated"
    drivers: list[PluginConfig] = Field(default_factory=list)
    routes: dict[str, str] = Field(default_factory=dict, description="Service → driver name.")
