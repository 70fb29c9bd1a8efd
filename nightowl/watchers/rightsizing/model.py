"""What the rightsizing watcher reads (usage against requests, job durations) and what it finds.
Frozen values; no I/O.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from nightowl.domain.base import Model
from nightowl.settings.cost import CostSettings

HOURS_PER_MONTH = 730.0  # 365 × 24 / 12, the figure cloud price sheets use


class SizingKind(StrEnum):
    """What is wrong: capacity far above use, nothing used at all, a job far past its usual
    duration.
    """

    OVERPROVISIONED = "overprovisioned"
    IDLE = "idle"
    RUNAWAY = "runaway"


class Prices(Model):
    """The price of capacity per hour, in the settings' currency: one CPU core, one GiB of
    memory. Read from ``cost.cpu_hour`` / ``cost.gib_hour`` (``of``); a watcher's own
    ``options.prices`` overrides them. Defaults are on-demand list prices of a general-purpose
    instance (about $0.034 per vCPU-hour and $0.0045 per GiB-hour on the large clouds in 2026).
    """

    cpu_hour: float = Field(default=0.034, ge=0)
    gib_hour: float = Field(default=0.0045, ge=0)

    @classmethod
    def of(cls, cost: CostSettings) -> Prices:
        """The capacity prices of the shared ``cost:`` settings."""
        return cls(cpu_hour=cost.cpu_hour, gib_hour=cost.gib_hour)


class Usage(Model):
    """One subject (a workload, or a node pool) over the window: what it holds (``requested``,
    total over its replicas) and what it used (95th percentile and peak of the total), per
    resource (``cpu`` in cores, ``memory`` in GiB), with its replica count.
    """

    subject: str
    namespace: str = ""
    kind: str = "workload"
    replicas: int = Field(default=1, ge=0)
    requested: dict[str, float]
    p95: dict[str, float]
    peak: dict[str, float]


class JobRun(Model):
    """A batch job running now and the durations of its past runs (seconds)."""

    job: str
    namespace: str = ""
    running_seconds: float
    past_seconds: tuple[float, ...] = ()
    cpu_cores: float = 0.0


class Resize(Model):
    """The proposed change: replicas from → to (a ``scale`` action, undone by scaling back), or
    the total request of one resource from → to.
    """

    replicas_from: int | None = None
    replicas_to: int | None = None
    resource: str | None = None
    request_from: float | None = None
    request_to: float | None = None
    per_pod_to: float | None = None
    """The floor per pod (``request_to`` ÷ replicas, unrounded): what a manifest edit writes,
    rounded up."""

    def describe(self, subject: str) -> str:
        """One line: ``scale shop/web 6 → 2 replicas``."""
        if self.replicas_to is not None:
            return f"scale {subject} {self.replicas_from} → {self.replicas_to} replicas"
        return (
            f"lower {subject}'s {self.resource} request {self.request_from:g} → {self.request_to:g}"
        )


class SizingFinding(Model):
    """One finding with its evidence, the saving per month and the change proposed (none for a
    runaway job: a human decides whether to stop it).
    """

    kind: SizingKind
    subject: str
    namespace: str = ""
    reason: str
    saving_per_month: float = 0.0
    resize: Resize | None = None
    evidence: dict[str, float] = {}
    priced_by: str = ""
    """What priced the saving: ``capacity`` (per core and GiB), ``opencost``, ``cost.replicas``."""

    @property
    def fingerprint(self) -> str:
        """Stable across runs: one finding per subject and kind."""
        return f"rightsizing|{self.kind.value}|{self.namespace}/{self.subject}"
