"""Who changed a resource when: cloud audit events in CloudTrail's documented record format.

An export (``aws cloudtrail lookup-events`` output, or a trail's log file) is a JSON object with
``Records`` (a trail file) or ``Events`` (lookup-events, each with its record as the JSON string
``CloudTrailEvent``). A record has ``eventTime``, ``eventName``, ``userIdentity`` (``arn``,
``userName``, ``type``) and ``resources`` (``ARN``); ``requestParameters`` names the resource
for calls that list none. Read-only calls (``readOnly: true``, ``Describe*``, ``Get*``,
``List*``) are not changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nightowl.errors import WatcherError

READS = ("Describe", "Get", "List", "Lookup")
MAX_EVENTS_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Event:
    """One change event: when, what call, by whom, and the identifiers it names."""

    at: str
    name: str
    by: str
    names: frozenset[str]


class AuditEvents:
    """The change events of one export, newest first; ``who`` finds the last one on a resource."""

    def __init__(self, events: list[Event]) -> None:
        self.events = sorted(events, key=lambda e: e.at, reverse=True)

    @classmethod
    def read(cls, path: Path, watcher: str) -> AuditEvents:
        """The export at ``path``; WatcherError when it cannot be read or is not one."""
        try:
            if path.stat().st_size > MAX_EVENTS_BYTES:
                raise WatcherError(f"audit events {path} are too large", watcher=watcher)
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise WatcherError(
                f"cannot read audit events {path}: {exc.strerror}", watcher=watcher
            ) from None
        except json.JSONDecodeError as exc:
            raise WatcherError(
                f"audit events {path} are not JSON: {exc.msg}", watcher=watcher
            ) from None
        return cls.parse(data)

    @classmethod
    def parse(cls, data: Any) -> AuditEvents:
        records: list[Any] = []
        if isinstance(data, dict):
            records = list(data.get("Records") or [])
            for looked_up in data.get("Events") or []:
                raw = looked_up.get("CloudTrailEvent") if isinstance(looked_up, dict) else None
                if isinstance(raw, str):
                    records.append(json.loads(raw))
        return cls([e for r in records if isinstance(r, dict) and (e := _event(r)) is not None])

    def who(self, real: dict[str, Any]) -> dict[str, str | None]:
        """``changed_by``, ``changed_at``, ``changed_with`` of the newest event naming the
        resource (its ``arn`` or ``id``); {} when none does."""
        wanted = {str(real[k]) for k in ("arn", "id") if real.get(k)}
        for event in self.events:
            if wanted & event.names:
                return {"changed_by": event.by, "changed_at": event.at, "changed_with": event.name}
        return {}


def _event(record: dict[str, Any]) -> Event | None:
    name = str(record.get("eventName") or "")
    if record.get("readOnly") is True or name.startswith(READS):
        return None
    identity = record.get("userIdentity") or {}
    by = str(identity.get("arn") or identity.get("userName") or identity.get("type") or "unknown")
    names = {
        str(r.get("ARN"))
        for r in record.get("resources") or []
        if isinstance(r, dict) and r.get("ARN")
    }
    names |= _strings(record.get("requestParameters"))
    return Event(at=str(record.get("eventTime") or ""), name=name, by=by, names=frozenset(names))


def _strings(value: Any) -> set[str]:
    """Every string in a request's parameters (where an id or ARN may be)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()
