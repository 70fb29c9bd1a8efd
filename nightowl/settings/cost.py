"""The ``cost:`` section: the price table nightowl prices changes with, and its cost sources.

Prices are the team's own (list prices or their discounts), in one currency: hourly prices of
instance and machine types (VMs and node pools alike) and load balancers, monthly prices per
GB of volume types, and the monthly cost of one replica per service (``*``: any other). A
resource or service with no price is not priced (never guessed). ``infracost``: the binary
whose ``infracost diff --format json`` prices plans instead of the table. The runtime cost comes
from an OpenCost server configured as a connector (``kind: opencost``); naming it in ``runtime``
prices a running workload's replicas from what it actually costs. ``cpu_hour`` and ``gib_hour``
price capacity by the unit (one CPU core, one GiB of memory, per hour), for the rightsizing
watcher's request cuts and for a replica no table or OpenCost prices.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from nightowl.settings.base import Section


class CostSettings(Section):
    currency: str = Field(default="$", max_length=5, description="Shown before every amount.")
    hours_per_month: float = Field(default=730.0, gt=0)
    instance_types: dict[str, float] = Field(
        default_factory=dict, description="Hourly price per instance or machine type."
    )
    load_balancers: dict[str, float] = Field(
        default_factory=dict, description="Hourly price per load balancer type (application…)."
    )
    volumes: dict[str, float] = Field(
        default_factory=dict, description="Monthly price per GB per volume type (gp3…)."
    )
    replicas: dict[str, float] = Field(
        default_factory=dict, description="Monthly cost of one replica per service ('*': any)."
    )
    cpu_hour: float = Field(
        default=0.034,
        ge=0,
        description="Price of one CPU core per hour (default: on-demand list price of a "
        "general-purpose instance on the large clouds, 2026).",
    )
    gib_hour: float = Field(
        default=0.0045, ge=0, description="Price of one GiB of memory per hour (same basis)."
    )
    infracost: str | None = Field(default=None, description="The infracost binary, when used.")
    runtime: str | None = Field(
        default=None,
        description="An opencost connector whose allocations price replicas: a workload's "
        "runtime cost per month ÷ its replicas now, before the replicas table.",
    )
    runtime_window: str = Field(
        default="24h",
        description="OpenCost window for replica prices: a day averages the daily cycle and "
        "stays close to the replica count running now.",
    )
    runtime_aggregate: str = Field(
        default="deployment",
        description="OpenCost aggregate whose names are the services' (deployment, label:app…).",
    )
    runtime_refresh_seconds: float = Field(
        default=3600.0, ge=60, description="How often the serving process re-reads them."
    )

    @field_validator("instance_types", "load_balancers", "volumes", "replicas")
    @classmethod
    def _not_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for key, price in value.items():
            if price < 0:
                raise ValueError(f"the price of {key!r} is negative ({price})")
        return value
