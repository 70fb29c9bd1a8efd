"""What a cluster runs, as packages: every container image of every pod (deduplicated per
workload) and the cluster's own version, read through the Kubernetes connector.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from nightowl.domain import Pod
from nightowl.watchers.cve.manifests import cluster_package, image_package
from nightowl.watchers.cve.models import Location, Package


@runtime_checkable
class RunningCluster(Protocol):
    """The reads an inventory needs (the Kubernetes connector has both). ConnectorError when
    the API server cannot be read.
    """

    name: str

    async def pods(self, service: str | None, start: datetime, end: datetime) -> list[Pod]:
        """Every pod (``service`` None) as it is now."""

    async def server_version(self) -> str:
        """The API server's ``gitVersion`` (``v1.29.4``, maybe with a vendor suffix)."""


async def running(cluster: RunningCluster, now: datetime) -> list[Package]:
    """The images running in the cluster, one package per image and workload, then the cluster
    version (its vendor suffix — ``v1.29.4-eks-1a2b`` — dropped).
    """
    out: dict[tuple[str, str, str], Package] = {}
    for pod in await cluster.pods(None, now - timedelta(minutes=1), now):
        workload = pod.service or pod.name
        for container in pod.containers:
            if not container.image:
                continue
            where = Location(workload=workload, namespace=pod.namespace)
            found = image_package(container.image, where)
            if found is not None:
                out.setdefault((pod.namespace, workload, container.image), found)
    version = (await cluster.server_version()).split("-", 1)[0].split("+", 1)[0]
    packages = list(out.values())
    packages.append(cluster_package(version, Location(workload=f"cluster {cluster.name}")))
    return packages
