"""What intake remembers between notifications: the last state of every alert, and its groups."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from nightowl.domain.alerts import AlertStatus
from nightowl.domain.base import Model


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
