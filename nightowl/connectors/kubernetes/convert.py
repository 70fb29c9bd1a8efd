"""Kubernetes API objects (their JSON, as the API server sends it) → nightowl's domain models.

Pure functions: no client, no I/O. Pods become ``Pod`` with each container's restarts and last
termination (an ``OOMKilled`` reason there is an OOM kill); Events become ``ClusterEvent``;
ReplicaSets owned by a Deployment become ``Rollout`` revisions, and the revisions ``Deploy``s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nightowl.domain import ClusterEvent, ContainerStatus, Deploy, Pod, Rollout

Obj = dict[str, Any]
REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
VERSION_LABEL = "app.kubernetes.io/version"


def timestamp(value: Any) -> datetime | None:
    """An RFC 3339 time from the API as aware UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def labels(obj: Obj) -> dict[str, str]:
    """The object's labels (a copy; empty when it has none)."""
    return dict((obj.get("metadata") or {}).get("labels") or {})


def service_of(obj: Obj, service_labels: tuple[str, ...]) -> str | None:
    """The service an object belongs to: the first of ``service_labels`` it carries."""
    found = labels(obj)
    return next((found[k] for k in service_labels if found.get(k)), None)


def image_tag(image: str | None) -> str | None:
    """The tag of an image reference (``registry/app:1.2@sha256:…`` → ``1.2``; none given →
    ``latest``).
    """
    if not image:
        return None
    name = image.split("@")[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def container(status: Obj) -> ContainerStatus:
    """One container status: readiness, restarts, the current state and the last termination (an
    ``OOMKilled`` shows there).
    """
    state = status.get("state") or {}
    now = next(iter(state), "unknown")
    last = (status.get("lastState") or {}).get("terminated") or {}
    return ContainerStatus(
        name=status.get("name", "?"),
        image=status.get("image"),
        ready=bool(status.get("ready")),
        restart_count=int(status.get("restartCount") or 0),
        state=now,
        reason=(state.get(now) or {}).get("reason"),
        last_termination_reason=last.get("reason"),
        last_exit_code=last.get("exitCode"),
        last_terminated_at=timestamp(last.get("finishedAt")),
    )


def pod(obj: Obj, service_labels: tuple[str, ...]) -> Pod:
    """A pod with its service, node, phase and containers; its version is the version label, else
    the tag of its first image.
    """
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    containers = tuple(container(c) for c in status.get("containerStatuses") or [])
    first_image = next((c.image for c in containers if c.image), None) or next(
        (c.get("image") for c in spec.get("containers") or []), None
    )
    return Pod(
        name=meta.get("name", "?"),
        namespace=meta.get("namespace") or "default",
        service=service_of(obj, service_labels),
        phase=status.get("phase") or "Unknown",
        node=spec.get("nodeName"),
        version=labels(obj).get(VERSION_LABEL) or image_tag(first_image),
        started_at=timestamp(status.get("startTime")),
        containers=containers,
    )


def event(obj: Obj, service: str | None) -> ClusterEvent | None:
    """A cluster event, timed by its last, event, first or creation timestamp (the first
    present); None when it has none.
    """
    meta = obj.get("metadata") or {}
    at = (
        timestamp(obj.get("lastTimestamp"))
        or timestamp(obj.get("eventTime"))
        or timestamp(obj.get("firstTimestamp"))
        or timestamp(meta.get("creationTimestamp"))
    )
    if at is None:
        return None
    involved = obj.get("involvedObject") or {}
    return ClusterEvent(
        at=at,
        type=obj.get("type") or "Normal",
        reason=obj.get("reason") or "",
        message=(obj.get("message") or "").strip(),
        object=f"{involved.get('kind', '?')}/{involved.get('name', '?')}",
        namespace=involved.get("namespace") or meta.get("namespace") or "default",
        service=service,
        count=int(obj.get("count") or 1),
    )


def rollout(obj: Obj, service: str) -> Rollout | None:
    """A ReplicaSet as a rollout of its Deployment: revision, images, change cause and replicas;
    None for a ReplicaSet without an owning Deployment, a creation time or a numeric revision.
    """
    meta = obj.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    owner = next(
        (o["name"] for o in meta.get("ownerReferences") or [] if o.get("kind") == "Deployment"),
        None,
    )
    at = timestamp(meta.get("creationTimestamp"))
    if owner is None or at is None or not str(annotations.get(REVISION, "")).isdigit():
        return None
    template = (obj.get("spec") or {}).get("template") or {}
    images = tuple(
        str(c.get("image")) for c in (template.get("spec") or {}).get("containers") or []
    )
    status = obj.get("status") or {}
    version = labels(template).get(VERSION_LABEL) or image_tag(images[0] if images else None)
    return Rollout(
        workload=owner,
        service=service,
        revision=int(annotations[REVISION]),
        version=version or "unknown",
        images=images,
        at=at,
        change_cause=annotations.get(CHANGE_CAUSE),
        replicas=int(status.get("replicas") or 0),
        ready_replicas=int(status.get("readyReplicas") or 0),
    )


def deploys(rollouts: list[Rollout], start: datetime, end: datetime) -> list[Deploy]:
    """Each revision in [start, end] as a deploy, oldest first, with the version it replaced."""
    out: list[Deploy] = []
    by_workload: dict[tuple[str, str], list[Rollout]] = {}
    for r in rollouts:
        by_workload.setdefault((r.service, r.workload), []).append(r)
    for revisions in by_workload.values():
        revisions.sort(key=lambda r: r.revision)
        for before, current in zip([None, *revisions], revisions, strict=False):
            if start <= current.at <= end:
                out.append(
                    Deploy(
                        service=current.service,
                        version=current.version,
                        previous_version=before.version if before else None,
                        at=current.at,
                        summary=current.change_cause
                        or f"{current.workload} revision {current.revision}",
                        source="kubernetes",
                    )
                )
    return sorted(out, key=lambda d: d.at)
