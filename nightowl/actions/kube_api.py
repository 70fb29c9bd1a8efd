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
    namespace: str
    deployment: str
    selector: str


@dataclass
class State:
    pre: dict[str, Scalar]
    marker: dict[str, str]
    raw: dict[str, Any] = field(default_factory=dict)


Preview = tuple[dict[str, Scalar], BlastRadius, str]


class Operation(Protocol):
    def read(self, api: Any, t: Target, action: ActionSpec) -> State: ...
    def preview(self, state: State, action: ActionSpec) -> Preview: ...
    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None: ...
    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str: ...


def json_of(response: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(response.data)
    return data


def deployment(api: Any, t: Target) -> dict[str, Any]:
    return json_of(
        AppsV1Api(api).read_namespaced_deployment(t.deployment, t.namespace, _preload_content=False)
    )


def patch(api: Any, t: Target, body: dict[str, Any]) -> None:
    AppsV1Api(api).patch_namespaced_deployment(
        t.deployment, t.namespace, body, _preload_content=False
    )


def annotations_of(obj: dict[str, Any]) -> dict[str, str]:
    return dict(obj.get("metadata", {}).get("annotations") or {})


def replicas(dep: dict[str, Any]) -> int:
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
    count, down = replicas(dep), unavailable(dep)
    return BlastRadius(
        replicas_before=count,
        replicas_after=count,
        pods_at_once=down,
        capacity_fraction=down / count if count else 0.0,
        summary=text,
    )
