"""The deployment artifacts as the tests read them: the repository's ``deploy/`` files, parsed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
KUBERNETES_VERSION = "1.32.0"
"""The Kubernetes release the manifests are validated against (kubernetes-validate's schemas)."""


def documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document of ``path``."""
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def manifests() -> dict[str, list[dict[str, Any]]]:
    """deploy/kubernetes/: file name → its objects (the kustomization and example excluded)."""
    skip = {"kustomization.yaml"}
    return {p.name: documents(p) for p in sorted(KUBERNETES.glob("*.yaml")) if p.name not in skip}


def objects(kind: str) -> list[dict[str, Any]]:
    """Every object of ``kind`` in the applied manifests (secret.example.yaml is not applied)."""
    return [
        o
        for name, docs in manifests().items()
        if name != "secret.example.yaml"
        for o in docs
        if o["kind"] == kind
    ]


def named(kind: str, name: str) -> dict[str, Any]:
    """The one object of ``kind`` called ``name``."""
    (found,) = [o for o in objects(kind) if o["metadata"]["name"] == name]
    return found
