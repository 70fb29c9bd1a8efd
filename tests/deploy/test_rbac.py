"""The least RBAC: deploy/kubernetes/rbac.yaml grants exactly the verbs and resources the
Kubernetes connector and driver call, and nothing more.

What the code calls is read from the code, not listed by hand: every name in the connector's and
driver's modules that is a method of the official client's API classes, mapped to its HTTP path
and method by the client itself (the ``call_api`` line of the generated ``*_with_http_info``), and
from there to an RBAC rule as the API server authorizes it (GET on a collection is ``list``, on an
object ``get``; a path with ``namespaces/{namespace}`` is namespaced, any other cluster-wide).
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any, NamedTuple

from kubernetes import client

from tests.deploy.manifests import ROOT, named, objects

CODE = [
    *sorted((ROOT / "nightowl" / "connectors" / "kubernetes").glob("*.py")),
    *sorted((ROOT / "nightowl" / "actions").glob("kube*.py")),
]
APIS = [client.CoreV1Api, client.AppsV1Api, client.PolicyV1Api, client.BatchV1Api]
CALL = re.compile(r"call_api\(\s*'(?P<path>[^']+)',\s*'(?P<method>[A-Z]+)'")
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


class Grant(NamedTuple):
    """One (API group, resource, verb) the API server authorizes; ``cluster``: not namespaced."""

    group: str
    resource: str
    verb: str
    cluster: bool


def grant_of(path: str, method: str) -> Grant:
    """The rule a request to ``path`` needs, from the API server's URL layout."""
    parts = path.strip("/").split("/")
    group, rest = ("", parts[2:]) if parts[0] == "api" else (parts[1], parts[3:])
    namespaced = rest[:2] == ["namespaces", "{namespace}"] and len(rest) > 2
    rest = rest[2:] if namespaced else rest
    resource, named_object = rest[0], len(rest) > 1
    if len(rest) > 2:
        resource = f"{resource}/{rest[2]}"  # a subresource: pods/log
    verb = VERBS.get(method) or ("get" if named_object else "list")
    return Grant(group, resource, verb, cluster=not namespaced)


def called_methods() -> set[str]:
    """Names in the connector's and driver's code that are methods of a client API class."""
    names: set[str] = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
    return {n for n in names if any(hasattr(api, f"{n}_with_http_info") for api in APIS)}


def needed() -> set[Grant]:
    found = set()
    for name in called_methods():
        api = next(a for a in APIS if hasattr(a, f"{name}_with_http_info"))
        match = CALL.search(inspect.getsource(getattr(api, f"{name}_with_http_info")))
        assert match, f"no call_api line in {api.__name__}.{name}"
        found.add(grant_of(match["path"], match["method"]))
    return found


def granted(role: dict[str, Any], *, cluster: bool) -> set[Grant]:
    return {
        Grant(group, resource, verb, cluster)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def test_the_code_calls_what_this_test_reads() -> None:
    """The scan finds the calls (a refactor that hid them would make the next test vacuous)."""
    assert len(CODE) >= 4
    assert {"list_namespaced_pod", "read_namespaced_pod_log", "patch_namespaced_deployment",
            "read_node", "list_pod_for_all_namespaces"} <= called_methods()  # fmt: skip
    assert grant_of("/api/v1/namespaces/{namespace}/pods/{name}/log", "GET") == Grant(
        "", "pods/log", "get", cluster=False
    )
    assert grant_of("/api/v1/nodes/{name}", "PATCH") == Grant("", "nodes", "patch", cluster=True)
    assert grant_of("/apis/apps/v1/namespaces/{namespace}/replicasets", "GET") == Grant(
        "apps", "replicasets", "list", cluster=False
    )


def test_every_call_is_granted_and_nothing_more() -> None:
    role = granted(named("Role", "nightowl-worker"), cluster=False)
    cluster_role = granted(named("ClusterRole", "nightowl-nodes"), cluster=True)
    need = needed()
    # A cluster-wide call needs the ClusterRole; a namespaced one either (a ClusterRoleBinding
    # grants it in every namespace: drain_node deletes pods wherever they run).
    for each in need:
        as_cluster = each._replace(cluster=True)
        assert each in role or as_cluster in cluster_role, f"not granted: {each}"
    used = {g._replace(cluster=False) for g in need}
    extra = {g._replace(cluster=False) for g in role | cluster_role} - used
    assert not extra, f"granted but never called: {sorted(extra)}"


def test_only_the_workers_are_bound_and_the_api_gets_no_token() -> None:
    subjects = [
        s
        for kind in ("RoleBinding", "ClusterRoleBinding")
        for binding in objects(kind)
        for s in binding["subjects"]
    ]
    assert {(s["kind"], s["name"]) for s in subjects} == {("ServiceAccount", "nightowl-worker")}
    assert named("ServiceAccount", "nightowl-api")["automountServiceAccountToken"] is False
    api = named("Deployment", "nightowl-api")["spec"]["template"]["spec"]
    worker = named("Deployment", "nightowl-worker")["spec"]["template"]["spec"]
    assert api["serviceAccountName"] == "nightowl-api"
    assert worker["serviceAccountName"] == "nightowl-worker"
