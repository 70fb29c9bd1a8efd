"""Which incident an alert group belongs to: the correlation key and the incident id."""

from __future__ import annotations

import hashlib

from nightowl.domain import AlertGroup, AlertStatus


def correlation_key(group: AlertGroup) -> str:
    """Alerts about the same service belong together; without a service, the source's group does."""
    services = sorted({a.service for a in group.alerts if a.service})
    if len(services) == 1:
        return f"service:{services[0]}"
    return f"group:{group.source}:{group.group_key}"


def incident_id_for(key: str, group: AlertGroup) -> str:
    """A deterministic id, so a webhook delivered twice names the same incident (and workflow).

    Derived from the correlation key and the earliest firing alert's start and fingerprint.
    """
    firing = [a for a in group.alerts if a.status is AlertStatus.FIRING] or list(group.alerts)
    first = min(firing, key=lambda a: (a.starts_at, a.fingerprint))
    seed = f"{key}|{first.fingerprint}|{first.starts_at.isoformat()}"
    return "inc-" + hashlib.sha256(seed.encode()).hexdigest()[:12]


def title_for(group: AlertGroup) -> str:
    names = sorted({a.name for a in group.alerts})
    service = next((a.service for a in group.alerts if a.service), None)
    head = names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} more)"
    return f"{head} on {service}" if service else head
