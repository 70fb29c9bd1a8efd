"""The Kubernetes operations on Deployments, one class per kind: read the pre-state, preview the
change and its blast radius, write it, undo it. Objects are handled as the JSON the API serves
(``_preload_content=False``), so nothing depends on the client's model classes accepting every
field. Pods and nodes are in kube_nodes.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from kubernetes.client import AppsV1Api

from nightowl.actions.kube_api import (
    RESTARTED,
    REVISION,
    Operation,
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
    unavailable,
)
from nightowl.actions.kube_nodes import DeletePod, DrainNode, PatchResources
from nightowl.domain import ActionSpec, BlastRadius, Scalar


class Scale:
    """``scale`` to ``params.replicas``, or ``scale_out`` by ``params.factor`` (default ×2, never
    below 1).

    The blast radius counts the replicas removed; ``undo`` restores the replica count read
    before.
    """

    def read(self, api: Any, t: Target, action: ActionSpec) -> State:
        """The current replica count."""
        dep = deployment(api, t)
        return State(pre={"replicas": replicas(dep)}, marker=annotations_of(dep))

    def preview(self, state: State, action: ActionSpec) -> Preview:
        """The replica count after, and the replicas removed as the blast radius."""
        before = int(state.pre["replicas"] or 0)
        if action.params.get("replicas") is not None:
            after = int(action.params["replicas"] or 0)
        else:
            after = max(1, round(before * float(action.params.get("factor") or 2)))
        removed = max(0, before - after)
        radius = BlastRadius(
            replicas_before=before,
            replicas_after=after,
            pods_at_once=removed,
            capacity_fraction=removed / before if before else 0.0,
            summary=f"{before} → {after} replicas",
        )
        return (
            {"replicas": after},
            radius,
            f"scale {action.service} from {before} to {after} replicas",
        )

    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None:
        """Set the replica count, stamped."""
        after = self.preview(state, action)[0]["replicas"]
        patch(api, t, {"metadata": {"annotations": stamp}, "spec": {"replicas": after}})

    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str:
        """Set the replica count back."""
        patch(api, t, {"spec": {"replicas": pre["replicas"]}})
        return f"scaled {t.deployment} back to {pre['replicas']} replicas"


class Restart:
    """``restart``: a rollout restart, by stamping the pod template's ``restartedAt`` annotation
    as ``kubectl rollout restart`` does. Pods are replaced at the strategy's pace; it cannot be
    undone.
    """

    def read(self, api: Any, t: Target, action: ActionSpec) -> State:
        """The replicas and when the template was last restarted."""
        dep = deployment(api, t)
        template = dep.get("spec", {}).get("template", {})
        restarted = annotations_of(template).get(RESTARTED)
        pre: dict[str, Scalar] = {"replicas": replicas(dep), "restarted_at": restarted}
        return State(pre=pre, marker=annotations_of(dep), raw=dep)

    def preview(self, state: State, action: ActionSpec) -> Preview:
        """A rollout restart, as many pods at a time as the strategy lets go."""
        text = f"rollout-restart {action.service} ({unavailable(state.raw)} pod(s) at a time)"
        post = {**state.pre, "restarted_at": datetime.now(UTC).isoformat()}
        return post, rolling(state.raw, text), text

    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None:
        """Stamp ``restartedAt`` on the pod template now, which rolls every pod."""
        at = datetime.now(UTC).isoformat()
        template = {"metadata": {"annotations": {RESTARTED: at}}}
        patch(api, t, {"metadata": {"annotations": stamp}, "spec": {"template": template}})

    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str:
        """Nothing to restore: a restart changes neither version nor configuration."""
        return "a restart cannot be undone and changed neither version nor configuration"


class Rollback:
    """``rollback`` to the newest ReplicaSet older than the current revision (``kubectl rollout
    undo``).

    Refused when the Deployment has no older ReplicaSet. The whole current pod template is kept
    in the pre-state, so ``undo`` puts back exactly what ran before, not just the image.
    """

    def read(self, api: Any, t: Target, action: ActionSpec) -> State:
        """The current revision and template, and the newest older ReplicaSet; Refused when there
        is none.
        """
        dep = deployment(api, t)
        current = int(annotations_of(dep).get(REVISION, "0"))
        sets = _replica_sets(api, t, dep)
        older = [rs for rs in sets if int(annotations_of(rs).get(REVISION, "0")) < current]
        if not older:
            raise Refused(f"{t.deployment} has no ReplicaSet older than revision {current}")
        previous = max(older, key=lambda rs: int(annotations_of(rs).get(REVISION, "0")))
        template = dep["spec"]["template"]
        pre: dict[str, Scalar] = {
            "revision": current,
            "image": _image(template),
            "template": json.dumps(template, sort_keys=True),
        }
        return State(pre=pre, marker=annotations_of(dep), raw={"dep": dep, "previous": previous})

    def preview(self, state: State, action: ActionSpec) -> Preview:
        """From the current revision and image to the previous one's, rolled at the strategy's
        pace.
        """
        previous = state.raw["previous"]
        revision = int(annotations_of(previous).get(REVISION, "0"))
        image = _image(previous["spec"]["template"])
        text = (
            f"roll {action.service} back from revision {state.pre['revision']} "
            f"({state.pre['image']}) to revision {revision} ({image})"
        )
        post: dict[str, Scalar] = {"revision": revision, "image": image}
        return post, rolling(state.raw["dep"], text), text

    def write(
        self, api: Any, t: Target, action: ActionSpec, state: State, stamp: dict[str, str]
    ) -> None:
        """Put the previous ReplicaSet's pod template back (without its hash label), stamped."""
        template = json.loads(json.dumps(state.raw["previous"]["spec"]["template"]))
        template.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
        patch(api, t, {"metadata": {"annotations": stamp}, "spec": {"template": template}})

    def undo(self, api: Any, t: Target, pre: dict[str, Scalar]) -> str:
        """Put the template that ran before the rollback back."""
        patch(api, t, {"spec": {"template": json.loads(str(pre["template"]))}})
        return f"restored {t.deployment} to revision {pre['revision']} ({pre['image']})"


def _replica_sets(api: Any, t: Target, dep: dict[str, Any]) -> list[dict[str, Any]]:
    labels = dep.get("spec", {}).get("selector", {}).get("matchLabels", {})
    selector = ",".join(f"{k}={v}" for k, v in labels.items())
    listed = json_of(
        AppsV1Api(api).list_namespaced_replica_set(
            t.namespace, label_selector=selector, _preload_content=False
        )
    )
    owned = []
    for rs in listed.get("items", []):
        owners = rs.get("metadata", {}).get("ownerReferences") or []
        if _matches(rs, labels) and any(o.get("name") == t.deployment for o in owners):
            owned.append(rs)
    return owned


def _matches(obj: dict[str, Any], labels: dict[str, str]) -> bool:
    have = obj.get("metadata", {}).get("labels") or {}
    return all(have.get(k) == v for k, v in labels.items())


def _image(template: dict[str, Any]) -> str:
    containers = template.get("spec", {}).get("containers") or [{}]
    return str(containers[0].get("image", "?"))


OPERATIONS: dict[str, Operation] = {
    "scale": Scale(),
    "scale_out": Scale(),
    "restart": Restart(),
    "rollback": Rollback(),
    "delete_pod": DeletePod(),
    "drain_node": DrainNode(),
    "patch_resources": PatchResources(),
}


def describe(action: ActionSpec, t: Target) -> str:
    """One line saying what ``action`` would do to ``t``, for plans and approval requests."""
    what = {
        "scale": f"scale deployment {t.namespace}/{t.deployment} to {action.params.get('replicas')} replicas",
        "scale_out": f"scale deployment {t.namespace}/{t.deployment} by ×{action.params.get('factor') or 2}",
        "restart": f"rollout-restart deployment {t.namespace}/{t.deployment}",
        "rollback": f"roll deployment {t.namespace}/{t.deployment} back to its previous ReplicaSet",
        "delete_pod": f"delete the most-restarted pod of {t.namespace}/{t.deployment}",
        "drain_node": f"cordon and drain node {action.params.get('node')}",
        "patch_resources": f"patch the resource limits of {t.namespace}/{t.deployment}",
    }
    return what.get(action.kind, f"{action.kind} (not a Kubernetes action)")
