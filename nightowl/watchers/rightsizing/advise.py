"""The arithmetic of rightsizing, pure: when a subject is over-provisioned or idle, what it can
go down to, and what that saves per month.

The floor: never below the window's peak times (1 + ``headroom``). The default headroom of 30%
covers a peak a third above the highest one seen in 14 days (traffic grows, a deploy warms
caches) and the scheduler's bin-packing slack; the p95 only decides *whether* to propose (a
subject is over-provisioned when it holds ``ratio`` times its p95), never how low to go. Replica
counts never go below ``min_replicas`` (2 by default: one pod lost in a node drain must not
take the service down).
"""

from __future__ import annotations

import math
import statistics

from pydantic import Field

from nightowl.domain.base import Model
from nightowl.watchers.rightsizing.model import (
    HOURS_PER_MONTH,
    JobRun,
    Prices,
    Resize,
    SizingFinding,
    SizingKind,
    Usage,
)


class Thresholds(Model):
    """When to propose and how far down: see the module docstring for why these defaults."""

    headroom: float = Field(default=0.3, ge=0)
    ratio: float = Field(default=2.0, gt=1)
    idle_cores: float = Field(default=0.01, ge=0)
    min_replicas: int = Field(default=2, ge=1)
    runaway_factor: float = Field(default=3.0, gt=1)
    min_past_runs: int = Field(default=3, ge=1)


def _cost(resource: str, amount: float, prices: Prices) -> float:
    per_hour = prices.cpu_hour if resource == "cpu" else prices.gib_hour
    return amount * per_hour * HOURS_PER_MONTH


def _monthly(requested: dict[str, float], fraction: float, prices: Prices) -> float:
    return round(sum(_cost(r, v * fraction, prices) for r, v in requested.items()), 2)


def size(usage: Usage, prices: Prices, limits: Thresholds) -> SizingFinding | None:
    """The finding for one subject, or None when it holds no more than ``ratio`` × its p95 on
    every resource.
    """
    cpu_req = usage.requested.get("cpu", 0.0)
    if cpu_req > 0 and usage.peak.get("cpu", 0.0) <= limits.idle_cores:
        return _idle(usage, prices, limits)
    over = [
        r
        for r, held in usage.requested.items()
        if held > 0 and held >= limits.ratio * max(usage.p95.get(r, 0.0), 1e-9)
    ]
    if not over:
        return None
    # The fraction of capacity still needed by the most demanding resource decides the cut.
    needed = max(
        (usage.peak.get(r, 0.0) * (1 + limits.headroom)) / held
        for r, held in usage.requested.items()
        if held > 0
    )
    evidence = {f"{k}_{r}": v for k, d in (("requested", usage.requested), ("p95", usage.p95),
                ("peak", usage.peak)) for r, v in d.items()}  # fmt: skip
    if usage.replicas > limits.min_replicas:
        to = max(limits.min_replicas, math.ceil(usage.replicas * needed))
        if to < usage.replicas:
            fraction = (usage.replicas - to) / usage.replicas
            return SizingFinding(
                kind=SizingKind.OVERPROVISIONED, subject=usage.subject, namespace=usage.namespace,
                reason=_reason(usage, over, limits),
                saving_per_month=_monthly(usage.requested, fraction, prices),
                resize=Resize(replicas_from=usage.replicas, replicas_to=to), evidence=evidence,
            )  # fmt: skip
    resource = max(over, key=lambda r: _cost(r, usage.requested[r], prices))
    held = usage.requested[resource]
    floor = usage.peak.get(resource, 0.0) * (1 + limits.headroom)
    if floor >= held:
        return None
    return SizingFinding(
        kind=SizingKind.OVERPROVISIONED, subject=usage.subject, namespace=usage.namespace,
        reason=_reason(usage, over, limits),
        saving_per_month=round(_cost(resource, held - floor, prices), 2),
        resize=Resize(resource=resource, request_from=held, request_to=round(floor, 3),
                      per_pod_to=floor / max(usage.replicas, 1)),
        evidence=evidence,
    )  # fmt: skip


def _reason(usage: Usage, over: list[str], limits: Thresholds) -> str:
    parts = [
        f"{r}: holds {usage.requested[r]:g}, p95 {usage.p95.get(r, 0.0):.3g}, peak "
        f"{usage.peak.get(r, 0.0):.3g}"
        for r in over
    ]
    return (
        f"{usage.kind} {usage.subject} holds ≥ {limits.ratio:g}× its p95 ({'; '.join(parts)}); "
        f"floor: peak + {limits.headroom:.0%} headroom"
    )


def _idle(usage: Usage, prices: Prices, limits: Thresholds) -> SizingFinding:
    to = 0 if usage.peak.get("cpu", 0.0) == 0.0 else min(usage.replicas, 1)
    return SizingFinding(
        kind=SizingKind.IDLE, subject=usage.subject, namespace=usage.namespace,
        reason=(f"{usage.kind} {usage.subject} used at most {usage.peak.get('cpu', 0.0):.3g} cores "
                f"over the window (idle below {limits.idle_cores:g}) while holding "
                f"{usage.requested.get('cpu', 0.0):g}"),
        saving_per_month=_monthly(usage.requested, (usage.replicas - to) / max(usage.replicas, 1), prices),
        resize=Resize(replicas_from=usage.replicas, replicas_to=to) if to < usage.replicas else None,
        evidence={"peak_cpu": usage.peak.get("cpu", 0.0), "requested_cpu": usage.requested.get("cpu", 0.0)},
    )  # fmt: skip


def runaway(run: JobRun, prices: Prices, limits: Thresholds) -> SizingFinding | None:
    """A job running more than ``runaway_factor`` × its median past duration (None with fewer
    than ``min_past_runs`` past runs: there is no "usual" yet). No change is proposed and no
    monthly saving claimed — stopping a job is a human's call; the evidence carries what the
    run has cost beyond its usual length so far.
    """
    if len(run.past_seconds) < limits.min_past_runs:
        return None
    usual = statistics.median(run.past_seconds)
    if usual <= 0 or run.running_seconds <= limits.runaway_factor * usual:
        return None
    excess = (
        _cost("cpu", run.cpu_cores, prices) * (run.running_seconds - usual) / 3600 / HOURS_PER_MONTH
    )
    return SizingFinding(
        kind=SizingKind.RUNAWAY, subject=run.job, namespace=run.namespace,
        reason=(f"job {run.job} has run {run.running_seconds / 60:.0f} min, "
                f"{run.running_seconds / usual:.1f}× its median of {usual / 60:.0f} min "
                f"over {len(run.past_seconds)} runs"),
        evidence={"running_seconds": run.running_seconds, "median_seconds": usual,
                  "excess_cost": round(excess, 2)},
    )  # fmt: skip
