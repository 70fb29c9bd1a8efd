"""What the gather stage hands to analysis: the raw signals, logs, deploys and cluster state around
an incident."""

from __future__ import annotations

from datetime import datetime

from nightowl.domain.base import Model
from nightowl.domain.cluster import ClusterEvent, Pod
from nightowl.domain.graph import ServiceCard
from nightowl.domain.signals import Deploy, LogRecord, Series


class Unavailable(Model):
    """A source that could not be read, and why: evidence degraded, incident not failed."""

    source: str
    what: str
    reason: str


class History(Model):
    """Normal operation before the incident: the same signals (service → metric → series) and,
    where there are some, logs, over a stretch the incident is not in (the same hours yesterday,
    the last days). Root-cause ranking learns each signal's normal level, spread and time of day
    from it; empty means "judge each signal against the window before the fault"."""

    signals: dict[str, dict[str, Series]] = {}
    logs: tuple[LogRecord, ...] = ()


class Observations(Model):
    """Everything gathered around an incident for one round: the window, the services in scope,
    and what each source returned for them.

    ``signals`` is service → signal name → series; ``topology`` is caller → callees;
    ``unavailable`` lists the sources that failed, and ``sources`` names which source served each
    kind of data. Large: it is stored once per round and passed to stages by reference, never
    through workflow results.
    """

    service: str | None
    start: datetime
    end: datetime
    services: tuple[str, ...]
    topology: dict[str, list[str]] = {}
    endpoints: dict[str, list[str]] = {}
    """Service → the host names and addresses it is reached by (empty without an endpoint source)."""
    signals: dict[str, dict[str, Series]] = {}
    logs: tuple[LogRecord, ...] = ()
    deploys: tuple[Deploy, ...] = ()
    pods: tuple[Pod, ...] = ()
    """The pods of the services in scope at the end of the window, with restarts and OOM kills."""
    events: tuple[ClusterEvent, ...] = ()
    """Cluster events about those services in the window, newest first."""
    unavailable: tuple[Unavailable, ...] = ()
    sources: dict[str, str] = {}
    history: History = History()
    """Normal operation before the incident (empty when the gather stage read none)."""
    knowledge: tuple[ServiceCard, ...] = ()
    """What the knowledge graph knows of the alerting services: owners, on-call, dependencies
    both ways, recent deploys with their authors, past incidents (empty without a graph)."""
