"""What intake remembers between notifications: the last state of every alert, and its groups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from nightowl.domain.alerts import Alert, AlertStatus
from nightowl.domain.base import Model
from nightowl.domain.silences import Silence
from nightowl.domain.vocabulary import Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertState:
    """The latest notification of one alert (by fingerprint), and what intake decided about it.

    A slotted dataclass, not a pydantic model: it never crosses a boundary (intake and its store
    build it from validated parts), and intake handles thousands per second.
    """

    fingerprint: str
    source: str
    name: str
    status: AlertStatus
    content_hash: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None = None
    generator_url: str | None = None
    group_key: str
    incident_id: str | None = None
    silenced_by: str | None = None
    inhibited_by: str | None = None
    flapping: bool = False
    transitions: tuple[datetime, ...] = ()
    first_seen: datetime
    last_seen: datetime
    received: int = 1
    duplicates: int = 0

    def model_copy(self, *, update: dict[str, object]) -> AlertState:
        """Return a copy with ``update`` applied (the same spelling as the pydantic models)."""
        return replace(self, **update)  # type: ignore[arg-type]


class GroupState(Model):
    """A group of alerts with equal ``group_by`` labels, and when it is next due to be flushed."""

    group_key: str
    labels: dict[str, str]
    incident_id: str | None = None
    created_at: datetime
    flushed_at: datetime | None = None
    next_flush_at: datetime | None = None
    repeat_at: datetime | None = None
    pending: int = 0
    updates: int = 0


class IntakeCounts(Model):
    """What one notification did: how many alerts were new, updated, duplicates, silenced."""

    received: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    silenced: int = 0
    flapping: int = 0
    attached: int = 0

    def __add__(self, other: IntakeCounts) -> IntakeCounts:
        return IntakeCounts(
            **{k: getattr(self, k) + getattr(other, k) for k in IntakeCounts.model_fields}
        )


# What intake and its store hand each other (plain values: intake's hot path).

Absorb = Callable[
    [Alert, AlertState | None, Sequence[Silence]], tuple[AlertState, str, dict[str, str]]
]
"""Intake's decision about one notification, given the alert's previous state and the silences
in force (read in the batch's transaction): (new state, ``new`` | ``updated`` | ``duplicate``,
labels to record)."""

GroupOf = Callable[[Alert], str]
"""The key of the group an alert routes to (a function of its labels): the store locks these
groups before it reads them."""


@dataclass(frozen=True)
class GroupTiming:
    """How long a new group waits before its first notification, and between later ones."""

    wait: timedelta
    interval: timedelta


@dataclass
class IngestOutcome:
    """What the intake store did with one notification's alerts, for the service to report and
    act on.

    ``incidents`` are those the alerts were attached to; ``all_resolved`` those whose every alert
    has now resolved (the service starts their verification); ``due_groups`` the groups whose
    wait is over and that should be flushed into incidents now.
    """

    counts: IntakeCounts
    verdicts: list[str] = field(default_factory=list)
    """One per input alert, in order: new, updated or duplicate."""
    incidents: set[str] = field(default_factory=set)
    incident_of: dict[str, str] = field(default_factory=dict)
    """fingerprint → the incident its notification was attached to."""
    all_resolved: set[str] = field(default_factory=set)
    due_groups: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OpenIncident:
    """An open incident as correlation sees it: enough to decide whether a group joins it."""

    id: str
    correlation_key: str
    service: str | None
    title: str
    opened_at: datetime


@dataclass(frozen=True)
class NewIncident:
    """The incident a flush opens: its id, the key later groups correlate on, and its headline."""

    id: str
    correlation_key: str
    title: str
    service: str | None
    severity: Severity | None


@dataclass(frozen=True)
class FlushContext:
    """Everything the flush decision reads, gathered by the store in one transaction: the group,
    its alerts (all and firing), the open incidents it may join, and the recent alert rate.
    """

    group: GroupState
    candidates: Sequence[AlertState]
    firing: Sequence[AlertState]
    open_incidents: Sequence[OpenIncident]
    recent_alerts: int
    now: datetime


@dataclass(frozen=True)
class FlushPlan:
    """The flush decision: the incident the group goes to (None: suppressed), a new incident to
    open first if any, and the alerts inhibited by others (fingerprint → why).
    """

    incident_id: str | None
    new_incident: NewIncident | None = None
    inhibited: dict[str, str] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class FlushResult:
    """What one flush did, as intake reports it: the outcome ``kind`` and the incident it
    touched.
    """

    kind: str
    """``opened``, ``joined``, ``suppressed`` (all silenced or inhibited), ``update`` or ``repeat``."""
    group_key: str
    incident_id: str | None
    alerts: int
    reason: str


Plan = Callable[[FlushContext], FlushPlan]


class DeadLetter(Model):
    """One stored inbound request: ``body`` is exactly the bytes received, valid UTF-8 or not."""

    id: int
    source: str
    received_at: datetime
    reason: str
    content_type: str | None
    headers: dict[str, str]
    body: bytes
    replayed_at: datetime | None = None
    sender: str | None = None
    """Who the request authenticated as (``bearer``, ``basic:alice``, ...); None for rows kept
    before senders were recorded, which may have come from anyone."""
