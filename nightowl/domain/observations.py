"""What the gather stage hands to analysis: the raw signals, logs, deploys and cluster state around
an incident."""

from __future__ import annotations

from datetime import datetime

from nightowl.domain.base import Model
from nightowl.domain.cluster import ClusterEvent, Pod
from nightowl.domain.signals import Deploy, LogRecord, Series


class Unavailable(Model):
    """A source that could not be read, and why: evidence degraded, incident not failed."""

    source: str
    what: str
    reason: str


class Observations(Model):
    service: str | None
    start: datetime
    end: datetime
    services: tuple[str, ...]
    topology: dict[str, list[str]] = {}
    signals: dict[str, dict[str, Series]] = {}
    logs: tuple[LogRecord, ...] = ()
    deploys: tuple[Deploy, ...] = ()
    pods: tuple[Pod, ...] = ()
    """The pods of the services in scope at the end of the window, with restarts and OOM kills."""
    events: tuple[ClusterEvent, ...] = ()
    """Cluster events about those services in the window, newest first."""
    unavailable: tuple[Unavailable, ...] = ()
    sources: dict[str, str] = {}
