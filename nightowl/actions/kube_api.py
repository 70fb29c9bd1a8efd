"""Shared pieces of the Kubernetes operations: the target, the state read before acting, raw JSON
access to Deployments, and how many pods a rollout takes down at once."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubernetes.client import AppsV1Api
from kubernetes.client.exceptions import ApiException

from nightowl.domain import ActionSpec, BlastRadius, Scalar

__all__ = ["ApiException", "Operation", "Refused", "State", "Target"]

REVISION = "deployment.kubernetes.io/revision"
RESTARTED = "kubectl.kubernetes.io/restartedAt"


class Refused(Exception):
    """The operation cannot be performed on what the cluster holds (permanent)."""


@dataclass(frozen=True)
class Target:
    """Where an action lands: the Deployment in its namespace, and the label selector of its
    pods.
    """

    namespace: str
    deployment: str
    selector: str


@dataclass
class State:
    """What ``Operation.read`` found before acting.

    ``pre`` is the flat pre-state recorded on the result (what ``undo`` restores from);
    ``marker`` holds the Deployment's annotations, where the driver finds the idempotency key of
    a write already made; ``raw`` keeps the JSON objects ``preview`` and ``write`` need, never
    stored.
    """

    pre: dict[str, Scalar]
    marker: dict[str, str]
    raw: dict[str, Any] = field(default_factory=dict)


Preview = tuple[dict[str, Scalar], BlastRadius, str]


class Operation(Protocol):
    """One kind of Kubernetes action, in four steps the driver calls in order.

    ``read`` fetches the pre-state (raises Refused when the cluster holds nothing to act on, or
    ApiException); ``preview`` is pure: the post-state, blast radius and sentence a dry run
    reports; ``write`` performs it, stamping ``stamp`` (the idempotency annotations) on the
    Deployment in the same patch; ``undo`` restores ``pre`` and says what it did, or why nothing
    can be restored. Operations are stateless and shared; ``api`` is a kubernetes ``ApiClient``.
    """

    def read(self, api: Any, t: Target, action: ActionSpec) -> State:
        """The state before acting; Refused when there is nothing to act on."""

    def preview(self, state: State, action: ActionSpec) -> Preview:
        """The post-state, blast radius and sentence of the change, computed without writing."""

    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None:
        """Perform the change, stamping ``stamp`` on the Deployment with it."""

    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str:
        """Restore ``pre`` and say what was restored (or why nothing can be)."""


def json_of(response: Any) -> dict[str, Any]:
    """The JSON body of a ``_preload_content=False`` response, as plain dicts."""
    data: dict[str, Any] = json.loads(response.data)
    return data


def deployment(api: Any, t: Target) -> dict[str, Any]:
    """The target Deployment as the API serves it (ApiException 404 when it does not exist)."""
    return json_of(
        AppsV1Api(api).read_namespaced_deployment(t.deployment, t.namespace, _preload_content=False)
    )


def patch(api: Any, t: Target, body: dict[str, Any]) -> None:
    """Patch the target Deployment with ``body``, a partial object (metadata, spec)."""
    AppsV1Api(api).patch_namespaced_deployment(
        t.deployment, t.namespace, body, _preload_content=False
    )


def annotations_of(obj: dict[str, Any]) -> dict[str, str]:
    """The object's annotations (a copy; empty when it has none)."""
    return dict(obj.get("metadata", {}).get("annotations") or {})


def replicas(dep: dict[str, Any]) -> int:
    """The Deployment's desired replicas; Kubernetes' default of 1 when unset."""
    return int(dep.get("spec", {}).get("replicas", 1))


def unavailable(dep: dict[str, Any]) -> int:
    """Pods a rollout of ``dep`` takes down at once (its strategy's maxUnavailable)."""
    strategy = dep.get("spec", {}).get("strategy") or {}
    count = replicas(dep)
    if strategy.get("type") == "Recreate":
        return count
    value = (strategy.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return math.floor(count * int(value[:-1]) / 100)
    return int(value)


def rolling(dep: dict[str, Any], text: str) -> BlastRadius:
    """The blast radius of rolling ``dep``'s pods: the replica count stays, ``unavailable`` go at
    once.
    """
    count, down = replicas(dep), unavailable(dep)
    return BlastRadius(
        replicas_before=count,
        replicas_after=count,
        pods_at_once=down,
        capacity_fraction=down / count if count else 0.0,
        summary=text,
    )
