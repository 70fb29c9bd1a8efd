"""The alert workload of ``nightowl bench ingest``: realistic label sets, duplicates and resolves.

Deterministic for a seed. Every notification is pre-serialised so that the driver measures the
server, not JSON encoding.
"""

from __future__ import annotations

import bisect
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nightowl.sources.base import label_fingerprint

ALERTNAMES = (
    "HighLatency",
    "HighErrorRate",
    "PodCrashLooping",
    "PodNotReady",
    "KubeDeploymentReplicasMismatch",
    "ContainerOOMKilled",
    "CPUThrottlingHigh",
    "MemoryUsageHigh",
    "DiskSpaceLow",
    "InodesLow",
    "TargetDown",
    "ProbeFailed",
    "CertificateExpiresSoon",
    "DatabaseConnectionsHigh",
    "QueueBacklogGrowing",
    "ReplicationLagHigh",
    "NodeNotReady",
    "HTTP5xxSpike",
    "SLOBurnRateFast",
    "SLOBurnRateSlow",
)
SERVICES = tuple(
    f"{name}-{suffix}" if suffix else name
    for name in (
        "checkout",
        "payments",
        "cart",
        "search",
        "catalog",
        "auth",
        "gateway",
        "orders",
        "shipping",
        "email",
    )
    for suffix in ("", "worker", "api", "db")
)
SEVERITIES = ("critical", "warning", "warning", "info")


@dataclass(frozen=True)
class Event:
    """One alert event of the workload: its body, and whether it is new, a duplicate or a
    resolve.
    """

    alert: dict[str, Any]
    kind: str  # "new", "duplicate" or "resolve"
    origin: int = -1
    """For a duplicate or resolve: the index of the event it repeats or resolves."""


@dataclass(frozen=True)
class Workload:
    """A seeded ingest workload, as the bodies for nightowl and for Alertmanager, with the order
    the requests must keep (a sender sends one alert's updates in order).
    """

    group_size: int
    am_bodies: list[bytes]
    """Alertmanager webhook payloads (version 4) for nightowl."""
    api_bodies: list[bytes]
    """The same alerts as postable alerts for Alertmanager's /api/v2/alerts."""
    depends_on: list[tuple[int, ...]]
    """Per request: the earlier requests that must be answered first (a sender sends one alert's
    notifications in order, so a resolve never overtakes its firing)."""
    alerts: int
    fingerprints: frozenset[str]
    resolved: frozenset[str]
    duplicates: int


def _alert(rng: random.Random, n: int, now: datetime) -> dict[str, Any]:
    service = rng.choice(SERVICES)
    labels = {
        "alertname": rng.choice(ALERTNAMES),
        "service": service,
        "namespace": f"shop-{n % 5}",
        "severity": rng.choice(SEVERITIES),
        "cluster": f"prod-eu-{n % 3}",
        "instance": f"10.{n % 200}.{(n // 200) % 250}.{n % 250}:8080",
        "pod": f"{service}-{rng.getrandbits(32):08x}-{rng.getrandbits(20):05x}",
        "job": f"{service}-metrics",
    }
    return {
        "status": "firing",
        "labels": labels,
        "annotations": {
            "summary": f"{labels['alertname']} on {service}",
            "description": f"{labels['alertname']} has been firing for 5m on {labels['instance']}",
            "runbook_url": f"https://runbooks.example.org/{labels['alertname']}",
        },
        "startsAt": (now - timedelta(seconds=rng.randint(0, 3600)))
        .isoformat()
        .replace("+00:00", "Z"),
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": label_fingerprint(labels),
    }


def _events(rng: random.Random, total: int, now: datetime, offset: int, margin: int) -> list[Event]:
    """~70 % new alerts, 20 % exact duplicates of earlier ones, 10 % resolves of earlier ones.

    Duplicates and resolves refer only to alerts at least ``margin`` events earlier, so that
    requests in flight together never depend on each other (as with real senders, which send one
    group's notifications in order).
    """
    events: list[Event] = []
    firing: list[tuple[dict[str, Any], int]] = []
    born: list[int] = []
    for n in range(total):
        roll = rng.random()
        ready = bisect.bisect_right(born, n - margin)
        if ready and roll < 0.20:
            repeated, at = firing[rng.randrange(ready)]
            events.append(Event(repeated, "duplicate", at))
        elif ready and roll < 0.30:
            pick = rng.randrange(ready)
            born.pop(pick)
            original, at = firing.pop(pick)
            resolved = {
                **original,
                "status": "resolved",
                "endsAt": now.isoformat().replace("+00:00", "Z"),
            }
            events.append(Event(resolved, "resolve", at))
        else:
            alert = _alert(rng, offset + n, now)
            firing.append((alert, n))
            born.append(n)
            events.append(Event(alert, "new"))
    return events


def build(
    total: int, group_size: int, *, concurrency: int, seed: int = 7, offset: int = 0
) -> Workload:
    """The workload of ``total`` alert events in groups of ``group_size``: the same seed, the
    same workload; ``offset`` keeps the fingerprints of two workloads apart.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)
    events = _events(rng, total, now, offset, margin=(concurrency + 2) * group_size)
    am_bodies, api_bodies, depends_on = [], [], []
    last_request: dict[
        str, int
    ] = {}  # fingerprint → the request that carried its last notification
    for start in range(0, len(events), group_size):
        request = start // group_size
        batch = events[start : start + group_size]
        fingerprints = [e.alert["fingerprint"] for e in batch]
        deps = {last_request[fp] for fp in fingerprints if fp in last_request}
        depends_on.append(tuple(sorted(d for d in deps if d < request)))
        last_request.update(dict.fromkeys(fingerprints, request))
        chunk = [e.alert for e in events[start : start + group_size]]
        status = "firing" if any(a["status"] == "firing" for a in chunk) else "resolved"
        first = chunk[0]["labels"]
        group_labels = {"alertname": first["alertname"], "service": first["service"]}
        am_bodies.append(
            json.dumps(
                {
                    "version": "4",
                    "groupKey": f'{{}}:{{alertname="{first["alertname"]}", service="{first["service"]}"}}',
                    "truncatedAlerts": 0,
                    "status": status,
                    "receiver": "nightowl",
                    "groupLabels": group_labels,
                    "commonLabels": group_labels,
                    "commonAnnotations": {},
                    "externalURL": "http://alertmanager:9093",
                    "alerts": chunk,
                }
            ).encode()
        )
        postable = [
            {k: a[k] for k in ("labels", "annotations", "startsAt", "generatorURL")}
            | ({"endsAt": a["endsAt"]} if a["status"] == "resolved" else {})
            for a in chunk
        ]
        api_bodies.append(json.dumps(postable).encode())
    return Workload(
        group_size=group_size,
        am_bodies=am_bodies,
        api_bodies=api_bodies,
        depends_on=depends_on,
        alerts=len(events),
        fingerprints=frozenset(e.alert["fingerprint"] for e in events),
        resolved=frozenset(e.alert["fingerprint"] for e in events if e.kind == "resolve"),
        duplicates=sum(e.kind == "duplicate" for e in events),
    )
