"""What the root-cause ranking takes as settings and gives back: scored signals and ranked services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from nightowl.domain.base import Model


class RankConfig(Model):
    """How the ranking reads signals. The defaults are the benchmarked ones; none is per dataset.

    ``baseline`` and ``horizon`` bound the windows before and after the fault time; ``min_baseline``
    is the fewest baseline samples a signal needs to be judged at all.
    """

    baseline: timedelta = timedelta(minutes=30)
    horizon: timedelta = timedelta(minutes=5)
    min_baseline: int = Field(default=3, ge=2)
    min_history: int = Field(default=30, ge=3)
    """The fewest samples of normal operation a signal needs for its normal to be learnt from
    history; a signal with fewer is judged against the window before the fault."""
    history_floor: float = Field(default=0.001, gt=0.0)
    """Against history, the smallest scale of a signal relative to its level (a signal that
    never moved in normal operation is judged by its relative change)."""
    tail: float = Field(default=0.01, gt=0.0, lt=0.5)
    """The share of normal values on each side that lies outside the normal range: inside it, a
    value is worth its rarity, not its distance (``Normal.z``)."""
    other_weight: float = Field(default=0.5, ge=0.0, le=1.0)
    """With the symptom's metric known, how much the other signals count next to it."""
    regime_z: float = Field(default=3.0, gt=0.0)
    """A signal whose level just before the fault is further than this from its normal (in σ) is
    judged against the window before the fault instead: the history does not describe it."""
    seasonal_days: int = Field(default=2, ge=1)
    """A time-of-day profile is learnt only from history covering every hour on this many days."""
    rel_floor: float = Field(default=0.01, gt=0.0)
    """The smallest scale of a signal, relative to its level: a change of 1% is one unit at most."""
    max_score: float = Field(default=1000.0, gt=0.0)
    """Shifts are clipped here before they are compressed."""
    peer_reference: Literal["runner_up", "median", "none"] = "runner_up"
    """What a signal's shift is judged against across services: the largest shift of the same
    signal in any other service (a margin), or the median shift over services (a ratio)."""
    fall_weight: float = Field(default=0.5, ge=0.0)
    """A fall of a signal counts this much relative to a rise of the same size."""
    caller_weight: float = Field(default=0.0, ge=0.0)
    """The share of its most anomalous caller's anomaly a service is credited with (off by
    default: the runner-up reference already leaves callers out, see docs/benchmarks.md)."""
    explain_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    """How much of its anomaly a service loses when a callee is at least as anomalous (off by
    default, as ``caller_weight``)."""
    threshold: float = Field(default=1.79, ge=0.0)
    """The anomaly (compressed, ``log1p`` of σ: 1.79 is 5 σ) from which a service counts as
    anomalous: on a chain of anomalous callers (``path_weight``) and for the verdict."""
    path_weight: float = Field(default=0.0, ge=0.0)
    """How much the anomalies of the chain of anomalous callers a service's fault climbed through
    to the symptom add to its score (``graph.path_support``)."""
    support: Literal["chain", "coverage"] = "chain"
    correlation_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    log_bucket: timedelta = timedelta(seconds=10)
    """The width of the buckets error logs are counted in."""
    pattern_new_weight: float = Field(default=1.0, ge=0.0)
    """With event-pattern baselines: how much a request logging an error pattern never seen in
    the baseline counts, relative to one that breaks a learnt rule (``patterns``)."""
    deploy_window: timedelta = timedelta(minutes=30)
    """A change to a service this long before the fault makes it a likelier root cause."""
    deploy_boost: float = Field(default=0.5, ge=0.0)
    """How much a recent deploy raises a service's score (relative, plus the same absolute)."""


class SignalAnomaly(Model):
    """How far one signal of one service moved after the fault time, in robust units.

    ``score`` is signed (positive: the signal went up); ``onset`` is the first sample after the
    fault time that left the baseline band, if any.
    """

    service: str
    metric: str
    score: float
    baseline: float
    observed: float
    onset: datetime | None = None


class RankedService(Model):
    """One candidate root cause: its final score, its own anomaly, and why it ranks where it does."""

    service: str
    rank: int
    score: float
    anomaly: float
    onset: datetime | None = None
    reasons: tuple[str, ...] = ()
    signals: tuple[SignalAnomaly, ...] = ()
