"""A lower request as an edit of the workload's manifest: the value of
``resources.requests.<cpu|memory>`` of the container, in the Deployment, StatefulSet or
DaemonSet that declares it, replaced in place (every other byte of the file kept).

The request is per pod: the finding's floor is the total the workload needs (the window's peak
of its summed use × (1 + headroom)), split evenly over its replicas and rounded *up* to a whole
millicore or MiB, so the edit never goes below the floor. An even split assumes the Service
spreads load over the pods; a workload whose pods take uneven shares beyond the headroom needs
its per-pod peak instead (not read here). The value is written as Kubernetes quantities are:
``250m`` for CPU, ``768Mi`` for memory. Only an existing request is edited; a manifest that does
not parse (a Helm template) is skipped. Limits are not touched (a lower request never exceeds
them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


@dataclass(frozen=True, slots=True)
class RequestEdit:
    """The edited manifest: which file, its text before and after, the old and new value."""

    path: Path
    before: str
    after: str
    old: str
    new: str


def quantity(resource: str, per_pod: float) -> str:
    """A request in Kubernetes' notation, rounded up: cores → ``m``, GiB → ``Mi``."""
    if resource == "cpu":
        return f"{max(1, math.ceil(round(per_pod * 1000, 6)))}m"
    return f"{max(1, math.ceil(round(per_pod * 1024, 6)))}Mi"


_SUFFIX = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}  # fmt: skip


def parse(resource: str, value: str) -> float | None:
    """A Kubernetes quantity in cores (cpu) or GiB (memory); None when it does not parse."""
    number = value.rstrip("kKMGTiem")
    suffix = value[len(number) :]
    try:
        amount = float(number) * (_SUFFIX[suffix] if suffix else 1.0)
    except (KeyError, ValueError):
        return None
    return amount if resource == "cpu" else amount / 2**30


def _get(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _files(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))


def _requests(doc: yaml.Node, namespace: str, container: str, resource: str) -> yaml.Node | None:
    """The scalar node of the container's request in one workload document, if it is there."""
    if _scalar(_get(doc, "kind")) not in WORKLOADS:
        return None
    declared = _scalar(_get(_get(doc, "metadata") or yaml.MappingNode("", []), "namespace"))
    if declared not in (None, namespace):
        return None
    pod = _get(_get(_get(doc, "spec") or doc, "template") or doc, "spec")
    containers = _get(pod, "containers") if pod is not None else None
    for item in containers.value if isinstance(containers, yaml.SequenceNode) else []:
        if _scalar(_get(item, "name")) == container:
            value = _get(_get(_get(item, "resources") or item, "requests") or item, resource)
            return value if isinstance(value, yaml.ScalarNode) else None
    return None


def lower_request(
    roots: list[Path], namespace: str, container: str, resource: str, per_pod: float
) -> RequestEdit | None:
    """The first manifest declaring the container's request, edited to ``per_pod``; None when
    no manifest declares it or it is already at or below the new value."""
    new = quantity(resource, per_pod)
    for path in _files(roots):
        try:
            text = path.read_bytes().decode("utf-8")
            docs = list(yaml.compose_all(text))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        for doc in docs:
            node = _requests(doc, namespace, container, resource) if doc else None
            if node is None:
                continue
            held, floor = parse(resource, node.value), parse(resource, new) or per_pod
            if held is None or held <= floor:
                return None
            start, end = node.start_mark.index, node.end_mark.index
            quoted = text[start] in "'\""
            after = text[:start] + (f'"{new}"' if quoted else new) + text[end:]
            return RequestEdit(path=path, before=text, after=after, old=node.value, new=new)
    return None
