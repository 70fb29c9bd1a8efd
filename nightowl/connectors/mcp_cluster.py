"""An MCP server's Kubernetes tools as a cluster source: ``cluster`` names a tool listing pods (and
optionally one listing events) whose answer is the Kubernetes API's own objects.

The shape that fits is the API's: a ``PodList`` / ``EventList`` (``{"items": [...]}``) or a bare
list of objects, as JSON or YAML (Kubernetes MCP servers print either; ``kubectl get -o yaml`` is
the same shape), converted by the ``kubernetes`` connector's own functions
(``nightowl.connectors.kubernetes.convert``), so an OOM kill or a crash loop reads the same
whichever way the cluster was reached. A pod's service is its service label, as for ``kind:
kubernetes``; an event's is the service of the pod it is about, or the Deployment's or Service's
own name. MCP reaches no rollout history: ``rollouts`` is empty (a deploy source gives the deploys).

The answer is untrusted: anything that is not a list of objects is a ConnectorError, at most
``limit`` objects are read, names are cut at ``LABEL_CHARS`` and messages at ``MESSAGE_CHARS``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from nightowl.connectors.kubernetes import convert
from nightowl.connectors.mcp_shapes import LABEL_CHARS, MESSAGE_CHARS
from nightowl.domain import ClusterEvent, Pod, Rollout
from nightowl.errors import ConnectorError


class McpCluster(BaseModel):
    """``cluster``: the tools that list pods and events, and their arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pods_tool: str
    events_tool: str | None = None
    namespace: str | None = None
    """Passed as ``namespace_arg`` when set (else the tool's own default: often every namespace)."""
    namespace_arg: str = "namespace"
    service_labels: tuple[str, ...] = ("app.kubernetes.io/name", "app")

    def tools(self) -> set[str]:
        """The tools this shape calls (they must be in the allowlist)."""
        return {t for t in (self.pods_tool, self.events_tool) if t}


def objects(data: Any, connector: str, limit: int) -> list[dict[str, Any]]:
    """The Kubernetes objects of a tool's answer: a list, or a ``*List``'s ``items``; text is
    read as YAML (JSON is YAML too). ConnectorError for anything else."""
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError:
            raise _wrong(connector, "Kubernetes objects (JSON or YAML)", data) from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list) or not all(isinstance(o, dict) for o in data):
        raise _wrong(connector, "a list of Kubernetes objects", data)
    return data[:limit]


def pods_of(found: list[dict[str, Any]], spec: McpCluster, connector: str) -> list[Pod]:
    """Pods, their names bounded; ConnectorError for an object that is not a pod's shape."""
    out = []
    for obj in found:
        try:
            pod = convert.pod(obj, spec.service_labels)
        except (AttributeError, TypeError, ValueError):
            raise _wrong(connector, "Pod objects", obj) from None
        out.append(pod.model_copy(update={"name": pod.name[:LABEL_CHARS]}))
    return out


def events_of(found: list[dict[str, Any]], pods: list[Pod], connector: str) -> list[ClusterEvent]:
    """Events (those without a time skipped), each the service of its pod, or of the Deployment
    or Service it names."""
    service_of = {(p.namespace, p.name): p.service for p in pods}
    out = []
    for obj in found:
        try:
            involved = obj.get("involvedObject") or {}
            where = (involved.get("namespace") or "default", str(involved.get("name") or ""))
            named = where[1] if involved.get("kind") in ("Deployment", "Service") else None
            event = convert.event(obj, service_of.get(where) or named)
        except (AttributeError, TypeError, ValueError):
            raise _wrong(connector, "Event objects", obj) from None
        if event is not None:
            cut = {"message": event.message[:MESSAGE_CHARS], "object": event.object[:LABEL_CHARS]}
            out.append(event.model_copy(update=cut))
    return out


class ClusterShape:
    """The ``ClusterSource`` methods of an MCP connector whose ``cluster`` names its tools (mixed
    into ``McpTools``, which provides ``call``, ``name`` and the config)."""

    async def pods(self: Any, service: str | None, start: datetime, end: datetime) -> list[Pod]:
        """The pods (of ``service`` when given) the pods tool lists now, by namespace and name."""
        found = pods_of(await _list(self, self.config.cluster.pods_tool), self.config.cluster,
                        self.name)  # fmt: skip
        mine = [p for p in found if service is None or p.service == service]
        return sorted(mine, key=lambda p: (p.namespace, p.name))

    async def events(
        self: Any, service: str | None, start: datetime, end: datetime
    ) -> list[ClusterEvent]:
        """The events in [start, end] (about ``service``'s objects when given), newest first;
        none without an events tool."""
        spec: McpCluster = self.config.cluster
        if spec.events_tool is None:
            return []
        pods = pods_of(await _list(self, spec.pods_tool), spec, self.name)
        found = events_of(await _list(self, spec.events_tool), pods, self.name)
        mine = [e for e in found if (service is None or e.service == service)
                and start <= e.at <= end]  # fmt: skip
        return sorted(mine, key=lambda e: e.at, reverse=True)

    async def rollouts(self, service: str) -> list[Rollout]:
        """MCP reaches no rollout history: none."""
        return []


async def _list(connector: Any, tool: str) -> list[dict[str, Any]]:
    spec: McpCluster = connector.config.cluster
    arguments = {spec.namespace_arg: spec.namespace} if spec.namespace else {}
    found = await connector.call(tool, arguments)
    return objects(found, connector.name, connector.config.max_series)


def _wrong(connector: str, expected: str, got: Any) -> ConnectorError:
    return ConnectorError(
        f"the tool's answer is not {expected}: {str(got)[:120]!r}",
        connector=connector,
        retryable=False,
    )
