"""The alert workload of ``nightowl bench ingest``: realistic label sets, duplicates and resolves.

Two shapes of notification (``Shape``): *grouped*, as Alertmanager's webhook sends — each
notification one group's alerts (one ``alertname`` and ``service``, nightowl's default
``group_by``), with that group's ``groupKey``, ``groupLabels`` and the labels its alerts share as
``commonLabels`` — and *mixed*, the bench's first shape, each notification ~50 consecutive alerts
of ~50 different groups (kept so that earlier figures stay comparable). Deterministic for a seed.
Every notification is pre-serialised so that the driver measures the server, not JSON encoding.
"""

from __future__ import annotations

import bisect
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
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
GROUPS = tuple((name, service) for name in ALERTNAMES for service in SERVICES)
"""Every (alertname, service) pair: the workload's groups under nightowl's default ``group_by``."""
REPEAT = 0.3
"""Grouped shape: the share of notifications for a group notified before (Alertmanager notifies a
group again when its alerts change); 0.3 mirrors the mixed shape, where 30 % of the events repeat
or resolve an earlier alert."""


class Shape(StrEnum):
    """How the alerts are cut into notifications (see the module's docstring)."""

    GROUPED = "grouped"
    MIXED = "mixed"


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
    shape: Shape
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


def _alert(
    rng: random.Random, n: int, now: datetime, group: tuple[str, str] | None = None
) -> dict[str, Any]:
    """A new firing alert; of ``group`` (alertname, service) if given, else of a random one (the
    mixed shape draws them in this order, so its workload is the one measured before shapes)."""
    service = group[1] if group else rng.choice(SERVICES)
    labels = {
        "alertname": group[0] if group else rng.choice(ALERTNAMES),
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


def _resolved(alert: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**alert, "status": "resolved", "endsAt": now.isoformat().replace("+00:00", "Z")}


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
            events.append(Event(_resolved(original, now), "resolve", at))
        else:
            alert = _alert(rng, offset + n, now)
            firing.append((alert, n))
            born.append(n)
            events.append(Event(alert, "new"))
    return events


def _grouped(
    rng: random.Random, total: int, size: int, now: datetime, offset: int, margin: int
) -> list[list[Event]]:
    """Notifications of one group each, ``size`` events (the last one fewer): per event ~70 %
    new, 20 % a duplicate, 10 % a resolve of an alert of the same group, each alert at most once
    per notification, as Alertmanager sends a group's alerts.

    A notification is for a group notified at least ``margin`` notifications earlier with
    probability ``REPEAT`` (when there is one), else for a random group; duplicates and resolves
    refer only to alerts first sent in those earlier notifications, so that requests in flight
    together seldom depend on each other (an alert repeated twice may; ``Workload.depends_on``
    keeps the order then).
    """
    firing: dict[tuple[str, str], list[tuple[dict[str, Any], int, int]]] = {}
    notified: list[tuple[tuple[str, str], int]] = []  # (group, request), in request order
    chunks: list[list[Event]] = []
    n = 0
    while n < total:
        request = len(chunks)
        ready_groups = bisect.bisect_right([r for _, r in notified], request - margin)
        if ready_groups and rng.random() < REPEAT:
            group = notified[rng.randrange(ready_groups)][0]
        else:
            group = rng.choice(GROUPS)
        notified.append((group, request))
        pool = firing.setdefault(group, [])  # (alert, event index, request), in request order
        ready = list(range(bisect.bisect_right([r for _, _, r in pool], request - margin)))
        rng.shuffle(ready)
        chunk: list[Event] = []
        gone: set[int] = set()
        for _ in range(min(size, total - n)):
            roll = rng.random()
            if ready and roll < 0.20:
                alert, at, _ = pool[ready.pop()]
                chunk.append(Event(alert, "duplicate", at))
            elif ready and roll < 0.30:
                pick = ready.pop()
                gone.add(pick)
                chunk.append(Event(_resolved(pool[pick][0], now), "resolve", pool[pick][1]))
            else:
                chunk.append(Event(_alert(rng, offset + n + len(chunk), now, group), "new"))
        pool[:] = [entry for i, entry in enumerate(pool) if i not in gone]
        pool.extend((e.alert, n + i, request) for i, e in enumerate(chunk) if e.kind == "new")
        chunks.append(chunk)
        n += len(chunk)
    return chunks


def _common(chunk: list[dict[str, Any]]) -> dict[str, str]:
    """The labels every alert of ``chunk`` carries with the same value (``commonLabels``)."""
    first = chunk[0]["labels"]
    return {k: v for k, v in first.items() if all(a["labels"].get(k) == v for a in chunk)}


def _am_body(chunk: list[dict[str, Any]], shape: Shape) -> bytes:
    """The version-4 webhook body of one notification. The mixed shape keeps the bodies it was
    first measured with (the first alert's group as ``groupLabels`` and ``commonLabels``)."""
    status = "firing" if any(a["status"] == "firing" for a in chunk) else "resolved"
    first = chunk[0]["labels"]
    group_labels = {"alertname": first["alertname"], "service": first["service"]}
    common = _common(chunk) if shape is Shape.GROUPED else group_labels
    return json.dumps(
        {
            "version": "4",
            "groupKey": f'{{}}:{{alertname="{first["alertname"]}", service="{first["service"]}"}}',
            "truncatedAlerts": 0,
            "status": status,
            "receiver": "nightowl",
            "groupLabels": group_labels,
            "commonLabels": common,
            "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093",
            "alerts": chunk,
        }
    ).encode()


def _api_body(chunk: list[dict[str, Any]]) -> bytes:
    """The same alerts as postable alerts for Alertmanager's ``/api/v2/alerts``."""
    postable = [
        {k: a[k] for k in ("labels", "annotations", "startsAt", "generatorURL")}
        | ({"endsAt": a["endsAt"]} if a["status"] == "resolved" else {})
        for a in chunk
    ]
    return json.dumps(postable).encode()


def _order(chunks: list[list[Event]]) -> list[tuple[int, ...]]:
    """Per request, the earlier requests that carried the last notification of one of its
    alerts: they must be answered first."""
    depends_on: list[tuple[int, ...]] = []
    last_request: dict[str, int] = {}  # fingerprint → the request that carried it last
    for request, chunk in enumerate(chunks):
        fingerprints = [e.alert["fingerprint"] for e in chunk]
        deps = {last_request[fp] for fp in fingerprints if fp in last_request}
        depends_on.append(tuple(sorted(d for d in deps if d < request)))
        last_request.update(dict.fromkeys(fingerprints, request))
    return depends_on


def build(
    total: int,
    group_size: int,
    *,
    concurrency: int,
    seed: int = 7,
    offset: int = 0,
    shape: Shape = Shape.MIXED,
) -> Workload:
    """The workload of ``total`` alert events in notifications of ``group_size``: the same seed,
    the same workload; ``offset`` keeps the fingerprints of two workloads apart.
    """
    rng, now, shape = random.Random(seed), datetime.now(UTC), Shape(shape)
    if shape is Shape.GROUPED:
        chunks = _grouped(rng, total, group_size, now, offset, margin=concurrency + 2)
    else:
        flat = _events(rng, total, now, offset, margin=(concurrency + 2) * group_size)
        chunks = [flat[i : i + group_size] for i in range(0, len(flat), group_size)]
    events = [e for chunk in chunks for e in chunk]
    alerts = [[e.alert for e in chunk] for chunk in chunks]
    return Workload(
        group_size=group_size,
        shape=shape,
        am_bodies=[_am_body(chunk, shape) for chunk in alerts],
        api_bodies=[_api_body(chunk) for chunk in alerts],
        depends_on=_order(chunks),
        alerts=len(events),
        fingerprints=frozenset(e.alert["fingerprint"] for e in events),
        resolved=frozenset(e.alert["fingerprint"] for e in events if e.kind == "resolve"),
        duplicates=sum(e.kind == "duplicate" for e in events),
    )
