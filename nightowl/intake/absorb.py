"""Dedup, flapping and silences for one alert against its last known state (pure functions).

- A *full duplicate* — same fingerprint, same content hash as last time — changes nothing but the
  duplicate counter.
- A *partial duplicate* — same alert, new content (firing → resolved, changed annotations) — is
  recorded as an update.
- An alert that changes status too often within the flap window is marked flapping.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from nightowl.domain import Alert, AlertState, AlertStatus, Silence
from nightowl.settings import IntakeSettings

ALL_LABELS = "..."


class Verdict(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    DUPLICATE = "duplicate"


def group_labels(labels: dict[str, str], group_by: Sequence[str]) -> dict[str, str]:
    if ALL_LABELS in group_by:
        return dict(labels)
    return {k: labels[k] for k in group_by if k in labels}


GROUP_KEYS_CACHED = 1024
"""Group keys remembered (by labels): the alerts of one notification share their group labels, and
every alert's key is asked for twice (to lock its group, then for its state), so nearly every
call is a repeat; hashing them again was ~7 % of a server's time in a storm (docs/benchmarks.md).
Bounded: at most this many label sets, each within the label limits of ``sources/bounds.py``."""


def group_key_of(labels: dict[str, str]) -> str:
    """The stored key of the group with these labels: a hash of their canonical JSON. Stored keys
    must not change across versions (tests/intake/test_absorb.py pins them)."""
    return _group_key(tuple(sorted(labels.items())))


@functools.lru_cache(maxsize=GROUP_KEYS_CACHED)
def _group_key(items: tuple[tuple[str, str], ...]) -> str:
    canon = json.dumps(items, separators=(",", ":"))  # a tuple is a JSON array, as a list is
    return hashlib.sha256(canon.encode()).hexdigest()[:32]


def absorb(
    alert: Alert,
    previous: AlertState | None,
    now: datetime,
    settings: IntakeSettings,
    silences: Sequence[Silence],
) -> tuple[AlertState, Verdict, dict[str, str]]:
    """The alert's new state, what kind of notification this was, and its group's labels."""
    silenced_by = next((s.id for s in silences if s.silences(alert.labels, now)), None)
    # A repeat whose silence started or ended, or that was inhibited, is not a duplicate: its
    # group must decide again, or an alert still firing after its silence (or after the alert
    # that inhibited it resolved) would never page.
    unchanged = (
        previous is not None
        and previous.content_hash == alert.content_hash
        and (previous.silenced_by is None) == (silenced_by is None)
        and previous.inhibited_by is None
    )
    if previous is not None and unchanged:
        counted = previous.model_copy(
            update={"duplicates": previous.duplicates + 1, "last_seen": now}
        )
        return counted, Verdict.DUPLICATE, group_labels(alert.labels, settings.group_by)
    transitions = list(previous.transitions) if previous else []
    if previous is None or previous.status is not alert.status:
        transitions.append(now)
    horizon = now - timedelta(minutes=settings.flap_window_minutes)
    transitions = [t for t in transitions if t >= horizon][-(settings.flap_transitions * 2) :]
    labels = group_labels(alert.labels, settings.group_by)
    reopened = (
        previous is not None
        and previous.status is AlertStatus.RESOLVED
        and alert.status is AlertStatus.FIRING
    )
    flapping = len(transitions) >= settings.flap_transitions
    # A flapping alert stays with its incident instead of opening a new one on every re-fire.
    fresh = previous is None or (reopened and not flapping)
    state = AlertState(
        fingerprint=alert.fingerprint,
        source=alert.source,
        name=alert.name,
        status=alert.status,
        content_hash=alert.content_hash,
        labels=alert.labels,
        annotations=alert.annotations,
        starts_at=alert.starts_at,
        ends_at=alert.ends_at,
        generator_url=alert.generator_url,
        group_key=group_key_of(labels),
        incident_id=None if fresh or previous is None else previous.incident_id,
        silenced_by=silenced_by,
        flapping=flapping,
        transitions=tuple(transitions),
        first_seen=previous.first_seen if previous else now,
        last_seen=now,
        received=(previous.received + 1) if previous else 1,
        duplicates=previous.duplicates if previous else 0,
    )
    return state, Verdict.NEW if fresh else Verdict.UPDATED, labels
