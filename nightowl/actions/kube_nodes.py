"""Kubernetes operations on pods, nodes and container resources: ``delete_pod``, ``drain_node``,
``patch_resources``. Pods are listed and filtered here by label and node, so the operations behave
the same whether or not the API server applies selectors."""

from __future__ import annotations

import json
from typing import Any

from kubernetes.client import CoreV1Api

from nightowl.actions.kube_api import (
    Preview,
    Refused,
    State,
    Target,
    annotations_of,
    deployment,
    json_of,
    patch,
    replicas,
    rolling,
)
from nightowl.domain import ActionSpec, BlastRadius, Scalar


def _selected(pod: dict[str, Any], selector: str) -> bool:
    labels = pod.get("metadata", {}).get("labels") or {}
    pairs = [p.split("=", 1) for p in selector.split(",") if "=" in p]
    return all(labels.get(k.strip()) == v.strip() for k, v in pairs)


def _restarts(pod: dict[str, Any]) -> int:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    return sum(int(s.get("restartCount", 0)) for s in statuses)


class DeletePod:
    """Delete the most-restarted pod(s) of the deployment; its controller starts a fresh one."""

    def read(self, api: Any, t: Target, action: ActionSpec) -> State:
        """The pods to delete: ``params.pod`` if named, else the ``params.count`` (default 1)
        most restarted; Refused when no pod of the deployment matches its selector.
        """
        dep = deployment(api, t)
        listed = json_of(
            CoreV1Api(api).list_namespaced_pod(
                t.namespace, label_selector=t.selector, _preload_content=False
            )
        )
        pods = [p for p in listed.get("items", []) if _selected(p, t.selector)]
        if not pods:
            raise Refused(f"no pod of {t.deployment} matches {t.selector!r} in {t.namespace}")
        wanted = action.params.get("pod")
        ranked = sorted(pods, key=lambda p: (-_restarts(p), p["metadata"]["name"]))
        chosen = [p for p in ranked if p["metadata"]["name"] == wanted] if wanted else ranked
        count = int(action.params.get("count") or 1)
        names = [p["metadata"]["name"] for p in chosen[:count]]
        pre: dict[str, Scalar] = {"pods": ",".join(names), "replicas": len(pods)}
        return State(pre=pre, marker=annotations_of(dep))

    def preview(self, state: State, action: ActionSpec) -> Preview:
        """The pods deleted and the share of the deployment's pods they are."""
        names = str(state.pre["pods"]).split(",")
        total = int(state.pre["replicas"] or 0)
        radius = BlastRadius(
            replicas_before=total,
            replicas_after=total,
            pods_at_once=len(names),
            capacity_fraction=len(names) / total if total else 1.0,
            summary=f"{len(names)} of {total} pods",
        )
        return {"deleted": state.pre["pods"]}, radius, f"delete pod(s) {', '.join(names)}"

    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None:
        """Stamp the Deployment, then delete the chosen pods (their controller replaces them)."""
        patch(api, t, {"metadata": {"annotations": stamp}})
        for name in str(state.pre["pods"]).split(","):
            CoreV1Api(api).delete_namespaced_pod(name, t.namespace, _preload_content=False)

    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str:
        """Nothing to restore: the controller has already replaced the pods."""
        return "a deleted pod is replaced by its controller; nothing to restore"


class DrainNode:
    """Cordon a node, then delete its pods one by one (DaemonSet and mirror pods stay)."""

    def read(self, api: Any, t: Target, action: ActionSpec) -> State:
        """The node's schedulability and the pods on it that can move (DaemonSet and mirror pods
        stay); Refused without ``params.node``.
        """
        node_name = action.params.get("node")
        if not node_name:
            raise Refused("drain_node needs params.node")
        core = CoreV1Api(api)
        node = json_of(core.read_node(str(node_name), _preload_content=False))
        listed = json_of(core.list_pod_for_all_namespaces(_preload_content=False))
        every = listed.get("items", [])
        on_node = [p for p in every if p.get("spec", {}).get("nodeName") == node_name]
        movable = [p for p in on_node if not _pinned(p)]
        pre: dict[str, Scalar] = {
            "node": str(node_name),
            "unschedulable": bool(node.get("spec", {}).get("unschedulable", False)),
            "pods": ",".join(
                f"{p['metadata'].get('namespace', '')}/{p['metadata']['name']}" for p in movable
            ),
            "cluster_pods": len(every),
        }
        return State(pre=pre, marker=annotations_of(node))

    def preview(self, state: State, action: ActionSpec) -> Preview:
        """Cordoned, with its movable pods moved one at a time; the share of the cluster's pods
        they are.
        """
        pods = [p for p in str(state.pre["pods"]).split(",") if p]
        total = int(state.pre["cluster_pods"] or 0)
        radius = BlastRadius(
            pods_at_once=1 if pods else 0,
            capacity_fraction=len(pods) / total if total else 0.0,
            summary=f"{len(pods)} pods moved off node {state.pre['node']}, one at a time",
        )
        text = f"cordon node {state.pre['node']} and move its {len(pods)} pods elsewhere"
        return {"node": state.pre["node"], "unschedulable": True}, radius, text

    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None:
        """Cordon the node (stamped), then delete its movable pods so their controllers place
        them elsewhere.
        """
        core = CoreV1Api(api)
        body = {"metadata": {"annotations": stamp}, "spec": {"unschedulable": True}}
        core.patch_node(str(state.pre["node"]), body, _preload_content=False)
        for ref in [p for p in str(state.pre["pods"]).split(",") if p]:
            namespace, _, name = ref.partition("/")
            core.delete_namespaced_pod(name, namespace, _preload_content=False)

    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str:
        """Restore the node's schedulability; the moved pods stay where they are."""
        body = {"spec": {"unschedulable": bool(pre["unschedulable"])}}
        CoreV1Api(api).patch_node(str(pre["node"]), body, _preload_content=False)
        return f"uncordoned node {pre['node']}; moved pods stay where their controllers put them"


def _pinned(pod: dict[str, Any]) -> bool:
    meta = pod.get("metadata", {})
    owners = meta.get("ownerReferences") or []
    mirror = "kubernetes.io/config.mirror" in (meta.get("annotations") or {})
    return mirror or any(o.get("kind") == "DaemonSet" for o in owners)


class PatchResources:
    """Set a container's CPU and/or memory limits (a rolling update)."""

    def read(self, api: Any, t: Target, action: ActionSpec) -> State:
        """The container to change (``params.container``, else the first) and all containers as
        they are; Refused for an unknown container or when neither limit is given.
        """
        dep = deployment(api, t)
        containers = dep.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []
        wanted = action.params.get("container")
        chosen = next((c for c in containers if c.get("name") == wanted), None) if wanted else None
        chosen = chosen or (containers[0] if containers and not wanted else None)
        if chosen is None:
            raise Refused(f"{t.deployment} has no container {wanted!r}")
        if not any(action.params.get(k) for k in ("cpu_limit", "memory_limit")):
            raise Refused("patch_resources needs params.cpu_limit or params.memory_limit")
        pre: dict[str, Scalar] = {
            "container": chosen["name"],
            "limits": json.dumps((chosen.get("resources") or {}).get("limits") or {}),
            "containers": json.dumps(containers, sort_keys=True),
            "replicas": replicas(dep),
        }
        return State(pre=pre, marker=annotations_of(dep), raw=dep)

    def _containers(self, state: State, action: ActionSpec) -> list[dict[str, Any]]:
        containers: list[dict[str, Any]] = json.loads(str(state.pre["containers"]))
        limits = {
            "cpu": action.params.get("cpu_limit"),
            "memory": action.params.get("memory_limit"),
        }
        for c in containers:
            if c["name"] == state.pre["container"]:
                resources = c.setdefault("resources", {})
                current = resources.setdefault("limits", {})
                current.update({k: str(v) for k, v in limits.items() if v})
        return containers

    def preview(self, state: State, action: ActionSpec) -> Preview:
        """The container's limits before and after, rolled out at the strategy's pace."""
        new = next(
            c for c in self._containers(state, action) if c["name"] == state.pre["container"]
        )
        limits = json.dumps(new["resources"]["limits"], sort_keys=True)
        text = f"set the limits of container {state.pre['container']} from {state.pre['limits']} to {limits}"
        return (
            {"container": state.pre["container"], "limits": limits},
            rolling(state.raw, text),
            text,
        )

    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None:
        """Patch the pod template with the new limits (a rolling update), stamped."""
        spec = {"template": {"spec": {"containers": self._containers(state, action)}}}
        patch(api, t, {"metadata": {"annotations": stamp}, "spec": spec})

    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str:
        """Put every container back as it was (a rolling update again)."""
        containers = json.loads(str(pre["containers"]))
        patch(api, t, {"spec": {"template": {"spec": {"containers": containers}}}})
        return f"restored the limits of container {pre['container']} to {pre['limits']}"
