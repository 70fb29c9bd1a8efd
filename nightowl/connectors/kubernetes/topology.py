"""The service graph of a Kubernetes namespace, from its Services, Endpoints and pods.

Nodes are Services. ``A -> B`` when a pod behind A (found through A's Endpoints) has an environment
variable naming B's DNS name as a host (``http://payments:8080``, ``payments.shop.svc``,
``payments.shop.svc.cluster.local:5432``), or when A's Service carries the annotation
``nightowl.dev/calls: "b, c"``. Pure functions over the API objects' JSON.
"""

from __future__ import annotations

import re
from typing import Any

from nightowl.connectors.kubernetes.convert import Obj

CALLS = "nightowl.dev/calls"


def graph(services: list[Obj], endpoints: list[Obj], pods: list[Obj]) -> dict[str, list[str]]:
    """Caller → callees among the namespace's Services: calls declared in the
    ``nightowl.dev/calls`` annotation, and the Services named in the environment of the pods
    behind each Service's endpoints.
    """
    names = {_name(s): (s.get("metadata") or {}).get("namespace", "default") for s in services}
    by_pod = {(_namespace(p), _name(p)): p for p in pods}
    edges: dict[str, set[str]] = {name: set() for name in names}
    for svc in services:
        declared = ((svc.get("metadata") or {}).get("annotations") or {}).get(CALLS, "")
        edges[_name(svc)] |= {c.strip() for c in declared.split(",") if c.strip()}
    patterns = {name: _host_pattern(name, ns) for name, ns in names.items()}
    for ep in endpoints:
        source = _name(ep)
        if source not in edges:
            continue
        for pod in _backing_pods(ep, by_pod):
            for value in _env_values(pod):
                edges[source] |= {
                    target
                    for target, pattern in patterns.items()
                    if target != source and pattern.search(value)
                }
    return {name: sorted(callees - {name}) for name, callees in sorted(edges.items())}


def hosts(services: list[Obj]) -> dict[str, list[str]]:
    """Every name a Service is reached by inside the cluster: ``name.ns``, ``name.ns.svc``,
    ``name.ns.svc.cluster.local`` and its ClusterIP (the bare ``name`` is left out: as a word in a
    log line it says too little)."""
    out: dict[str, list[str]] = {}
    for svc in services:
        name, ns = _name(svc), _namespace(svc)
        names = [f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"]
        ip = (svc.get("spec") or {}).get("clusterIP")
        if ip and ip != "None":
            names.append(str(ip))
        out[name] = sorted(set(names))
    return out


def _backing_pods(endpoint: Obj, by_pod: dict[tuple[str, str], Obj]) -> list[Obj]:
    found = []
    for subset in endpoint.get("subsets") or []:
        for address in (subset.get("addresses") or []) + (subset.get("notReadyAddresses") or []):
            ref = address.get("targetRef") or {}
            if ref.get("kind") == "Pod":
                key = (ref.get("namespace") or _namespace(endpoint), ref.get("name", ""))
                if key in by_pod:
                    found.append(by_pod[key])
    return found


def _env_values(pod: Obj) -> list[str]:
    containers = (pod.get("spec") or {}).get("containers") or []
    return [str(e["value"]) for c in containers for e in c.get("env") or [] if e.get("value")]


def _host_pattern(name: str, namespace: str) -> re.Pattern[str]:
    suffix = rf"(?:\.{re.escape(namespace)}(?:\.svc(?:\.cluster\.local)?)?)?"
    return re.compile(rf"(?:^|//|@){re.escape(name)}{suffix}(?=[:/]|$)")


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _namespace(obj: Obj) -> str:
    meta: dict[str, Any] = obj.get("metadata") or {}
    return str(meta.get("namespace") or "default")
