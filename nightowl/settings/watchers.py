"""The ``watchers:`` section: scheduled checks of the estate between incidents.

Each entry names a watcher, its kind (``registry.WATCHERS``), when it runs (a five-field cron in
UTC, checked with croniter when the settings load), what becomes of what it finds
(``on_finding``), the lowest severity that goes further than the store, and the kind's own
``options`` (validated by the kind's own config model when the watcher is built).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from nightowl.domain.vocabulary import Severity
from nightowl.settings.base import Section
from nightowl.settings.cron import check_cron


class OnFinding(StrEnum):
    """What a new finding at or above ``min_severity`` becomes: ``record`` (stored and shown
    only), ``notify`` (a message to the routed notifiers), ``incident`` (an incident through the
    pipeline), ``pull_request`` (its proposed change, through the gate and approvals)."""

    RECORD = "record"
    NOTIFY = "notify"
    INCIDENT = "incident"
    PULL_REQUEST = "pull_request"


class WatcherConfig(Section):
    """One configured watcher."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    schedule: str = Field(default="0 * * * *", description="Five-field cron, UTC.")
    on_finding: OnFinding = OnFinding.RECORD
    min_severity: Severity = Field(
        default=Severity.WARNING, description="Findings below this are only recorded."
    )
    service: str = Field(
        default="",
        description="The service its changes are routed as (actions.routes); default: the "
        "finding's own service, else the watcher's name.",
    )
    enabled: bool = True
    timeout_seconds: float = Field(default=300.0, gt=0, le=3600, description="Per run.")
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)


def unique_names(watchers: list[WatcherConfig]) -> list[WatcherConfig]:
    """``watchers`` if no name is given twice; ValueError naming the duplicate otherwise."""
    seen: set[str] = set()
    for watcher in watchers:
        if watcher.name in seen:
            raise ValueError(f"watcher {watcher.name!r} is configured twice: names are unique")
        seen.add(watcher.name)
    return watchers
