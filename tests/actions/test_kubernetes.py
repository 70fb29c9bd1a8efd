"""The Kubernetes driver against the kmock emulator (no kube-apiserver can run here): the official
client talks HTTP to a stateful in-memory API server, and the tests read the objects back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import kmock
import pytest
from kubernetes import client

from nightowl.actions.kubernetes import KEY, KubernetesConfig, KubernetesDriver
from nightowl.domain import ActionStatus
from nightowl.errors import ActionError
from tests.actions.conftest import action

DEPLOY = kmock.resource("apps", "v1", "deployments")
RS = kmock.resource("apps", "v1", "replicasets")
PODS = kmock.resource("", "v1", "pods")
NODES = kmock.resource("", "v1", "nodes")


def template(image: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "checkout"}},
        "spec": {
            "containers": [{"name": "app", "image": image, "resources": {"limits": {"cpu": "1"}}}]
        },
    }


def seed(k: Any) -> None:
    for res in ("apps/v1/deployments", "apps/v1/replicasets", "v1/pods", "v1/nodes"):
        k.resources[res] = {}
    k.objects[DEPLOY, "prod", "checkout"] = {
        "metadata": {
            "name": "checkout",
            "namespace": "prod",
            "annotations": {"deployment.kubernetes.io/revision": "2"},
        },
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": {"app": "checkout"}},
            "strategy": {"rollingUpdate": {"maxUnavailable": 0}},
            "template": template("checkout:v2"),
        },
    }
    for rev, image in ((1, "checkout:v1"), (2, "checkout:v2")):
        k.objects[RS, "prod", f"checkout-{rev}"] = {
            "metadata": {
                "name": f"checkout-{rev}",
                "namespace": "prod",
                "labels": {"app": "checkout"},
                "annotations": {"deployment.kubernetes.io/revision": str(rev)},
                "ownerReferences": [{"kind": "Deployment", "name": "checkout"}],
            },
            "spec": {"template": template(image)},
        }
    for name, restarts, node in (
        ("checkout-a", 0, "n1"),
        ("checkout-b", 7, "n1"),
        ("checkout-c", 1, "n2"),
    ):
        k.objects[PODS, "prod", name] = {
            "metadata": {"name": name, "namespace": "prod", "labels": {"app": "checkout"}},
            "spec": {"nodeName": node},
            "status": {"containerStatuses": [{"restartCount": restarts}]},
        }
    k.objects[NODES, None, "n1"] = {"metadata": {"name": "n1"}, "spec": {}}


def run(test: Callable[[KubernetesDriver, Any], Awaitable[None]]) -> None:
    async def main() -> None:
        async with kmock.KubernetesEmulator() as k, kmock.Server(k) as server:
            seed(k)
            configuration = client.Configuration()
            configuration.host = str(server.url).rstrip("/")
            driver = KubernetesDriver(
                "k8s", KubernetesConfig(namespace="prod"), client.ApiClient(configuration)
            )
            await test(driver, k)

    asyncio.run(main())


def deployment(k: Any) -> dict[str, Any]:
    return dict(k.objects[DEPLOY, "prod", "checkout"].raw)


def test_scale_is_previewed_applied_once_and_rolled_back() -> None:
    async def test(driver: KubernetesDriver, k: Any) -> None:
        dry = await driver.apply(action("scale", replicas=6), dry_run=True)
        assert (dry.status, deployment(k)["spec"]["replicas"]) == (ActionStatus.DRY_RUN, 4)
        assert dry.blast_radius is not None
        assert (dry.blast_radius.replicas_before, dry.blast_radius.replicas_after) == (4, 6)

        done = await driver.apply(action("scale", replicas=6), dry_run=False)
        assert deployment(k)["spec"]["replicas"] == 6
        assert deployment(k)["metadata"]["annotations"][KEY] == "key-1"
        again = await driver.apply(action("scale", replicas=6), dry_run=False)
        assert "already applied" in again.message
        assert again.pre_state.flat() == {"replicas": 4}

        undone = await driver.rollback(done)
        assert undone.status is ActionStatus.ROLLED_BACK
        assert deployment(k)["spec"]["replicas"] == 4

    run(test)


def test_rollback_goes_to_the_previous_replicaset_revision_and_back() -> None:
    async def test(driver: KubernetesDriver, k: Any) -> None:
        done = await driver.apply(action("rollback"), dry_run=False)
        assert done.post_state.flat() == {"revision": 1, "image": "checkout:v1"}
        assert deployment(k)["spec"]["template"]["spec"]["containers"][0]["image"] == "checkout:v1"
        await driver.rollback(done)
        assert deployment(k)["spec"]["template"]["spec"]["containers"][0]["image"] == "checkout:v2"

    run(test)


def test_restart_and_patch_resources() -> None:
    async def test(driver: KubernetesDriver, k: Any) -> None:
        restarted = await driver.apply(action("restart", key="r"), dry_run=False)
        annotations = deployment(k)["spec"]["template"]["metadata"]["annotations"]
        assert "kubectl.kubernetes.io/restartedAt" in annotations
        assert restarted.blast_radius is not None
        assert restarted.blast_radius.pods_at_once == 0

        patched = await driver.apply(
            action("patch_resources", key="p", memory_limit="2Gi"), dry_run=False
        )
        limits = deployment(k)["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
        assert limits == {"cpu": "1", "memory": "2Gi"}
        await driver.rollback(patched)
        limits = deployment(k)["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
        assert limits == {"cpu": "1"}

    run(test)


def test_delete_pod_removes_only_the_most_restarted_pod() -> None:
    async def test(driver: KubernetesDriver, k: Any) -> None:
        done = await driver.apply(action("delete_pod"), dry_run=False)
        assert done.pre_state.flat()["pods"] == "checkout-b"
        assert done.blast_radius is not None
        assert done.blast_radius.pods_at_once == 1
        assert k.objects[PODS, "prod", "checkout-b"].deleted
        assert not k.objects[PODS, "prod", "checkout-a"].deleted

    run(test)


def test_drain_cordons_the_node_moves_its_pods_and_uncordons_on_rollback() -> None:
    async def test(driver: KubernetesDriver, k: Any) -> None:
        done = await driver.apply(action("drain_node", node="n1"), dry_run=False)
        assert k.objects[NODES, None, "n1"].raw["spec"]["unschedulable"] is True
        assert k.objects[PODS, "prod", "checkout-a"].deleted
        assert not k.objects[PODS, "prod", "checkout-c"].deleted
        await driver.rollback(done)
        assert k.objects[NODES, None, "n1"].raw["spec"]["unschedulable"] is False

    run(test)


def test_errors_are_clear() -> None:
    async def test(driver: KubernetesDriver, k: Any) -> None:
        with pytest.raises(ActionError, match="404"):
            await driver.apply(action("scale", service="nope", replicas=2), dry_run=True)
        with pytest.raises(ActionError, match=r"needs params\.node"):
            await driver.apply(action("drain_node"), dry_run=True)
        assert json.dumps(deployment(k))  # untouched and still readable

    run(test)
