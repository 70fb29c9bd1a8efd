"""Declared versions in a repository: container images in Kubernetes manifests (any YAML with
``image:`` keys — Deployments, Helm values, kustomize) and the cluster version in Terraform
(``kubernetes_version = "1.29.4"``, as AKS and other providers' modules name it).

Read line by line, not through a YAML or HCL parser, because the bump edits the very line it
read and must leave the rest of the file byte for byte as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from nightowl.watchers.cve.models import Location, Package, PackageKind
from nightowl.watchers.cve.versions import image_ref

IMAGE_LINE = re.compile(r"^(\s*(?:-\s+)?image:\s*)([\"']?)([^\"'\s#]+)\2(\s*(?:#.*)?)$")
K8S_LINE = re.compile(r"^(\s*kubernetes_version\s*=\s*)\"([^\"]+)\"(.*)$")
KUBERNETES_MODULE = "k8s.io/kubernetes"
MAX_FILE_BYTES = 2 * 1024 * 1024


def files(paths: list[Path]) -> Iterator[Path]:
    """Manifest and Terraform files under the given files and directories, sorted."""
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".tf")]
            yield from sorted(p for p in found if ".git" not in p.parts and p.is_file())
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"{path} does not exist")


def cluster_package(version: str, location: Location) -> Package:
    """The cluster as a package: Kubernetes' vulnerabilities are published on the Go module
    ``k8s.io/kubernetes`` (``v1.29.4``).
    """
    return Package(
        kind=PackageKind.CLUSTER,
        ecosystem="Go",
        name=KUBERNETES_MODULE,
        version="v" + version.lstrip("v"),
        location=location,
    )


def image_package(text: str, location: Location) -> Package | None:
    """An image reference as a package; None when its tag is not a version (``latest``)."""
    ref = image_ref(text)
    if ref.version is None:
        return None
    return Package(
        kind=PackageKind.IMAGE,
        ecosystem="container",
        name=ref.name,
        version=ref.version,
        image=ref.text(),
        digest=ref.digest,
        location=location,
    )


def read(path: Path) -> list[Package]:
    """The images and cluster versions declared in one file."""
    if path.stat().st_size > MAX_FILE_BYTES:
        return []
    out: list[Package] = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        where = Location(path=str(path), line=number)
        if path.suffix == ".tf":
            k8s = K8S_LINE.match(line)
            if k8s:
                out.append(cluster_package(k8s.group(2), where))
            continue
        image = IMAGE_LINE.match(line)
        if image and (found := image_package(image.group(3), where)):
            out.append(found)
    return out
