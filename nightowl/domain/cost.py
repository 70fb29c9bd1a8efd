"""What a change costs: the monthly delta per resource and in total (``nightowl cost diff``)."""

from __future__ import annotations

from nightowl.domain.base import Model


class ResourceCost(Model):
    """One resource's monthly cost before and after a change (None: not priced), and the delta."""

    address: str
    before: float | None = None
    after: float | None = None
    delta: float
    priced_by: str = ""
    """What priced it: ``instance_types``, ``volumes``, ``load_balancers``, ``node_pools``,
    ``infracost``."""


class CostDiff(Model):
    """The monthly cost delta of a plan: per priced resource, in total, and what was not priced."""

    currency: str = "$"
    source: str
    resources: tuple[ResourceCost, ...] = ()
    unpriced: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        """The sum of the priced resources' deltas."""
        return round(sum(r.delta for r in self.resources), 2)


class Allocation(Model):
    """What one workload group cost over a window (OpenCost's allocation), and per month."""

    name: str
    window_start: str = ""
    window_end: str = ""
    total: float
    cpu: float = 0.0
    ram: float = 0.0
    monthly: float
