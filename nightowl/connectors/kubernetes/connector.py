"""Kubernetes: ``kind: kubernetes`` — cluster state, deploy history, pod logs and topology.

Uses the official ``kubernetes`` client (``pip install 'nightowl[kubernetes]'``), which is
synchronous: every call runs in a worker thread. The connection comes from ``url`` (+ ``token``),
from inside a pod (``in_cluster: true``), or from a kubeconfig (``kubeconfig``/``context``, default
``~/.kube/config``). A service's objects are those labelled with one of ``service_labels``
(``app.kubernetes.io/name``, then ``app``) in ``namespaces``. Failures become one ConnectorError
line naming the API server and what it answered; the client's own retries are off.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import kubernetes
import urllib3
from pydantic import Field, SecretStr

from nightowl.connectors.base import ConnectorConfig, Skew, parse_options
from nightowl.connectors.kubernetes import convert, ownership, topology
from nightowl.connectors.kubernetes.convert import Obj
from nightowl.connectors.logparse import matches, newest_first, parse_line
from nightowl.connectors.protocols import LogQuery, Ownership
from nightowl.connectors.tailing import poll_tail
from nightowl.domain import ClusterEvent, Deploy, LogRecord, Pod, Rollout
from nightowl.errors import ConnectorError
from nightowl.settings import PluginConfig, Settings


class KubernetesConfig(ConnectorConfig):
    """``kind: kubernetes``."""

    url: str | None = Field(default=None, description="API server URL (else kubeconfig).")
    token: SecretStr | None = None
    verify_tls: bool = True
    ca_file: str | None = None
    in_cluster: bool = False
    kubeconfig: str | None = None
    context: str | None = None
    namespaces: list[str] = Field(default=["default"], min_length=1)
    service_labels: tuple[str, ...] = ("app.kubernetes.io/name", "app")
    timeout_seconds: float = Field(default=10.0, gt=0)
    log_lines: int = Field(default=2000, ge=1, description="Newest lines read per container.")
    poll_seconds: float = Field(default=2.0, gt=0)


class Kubernetes:
    """One cluster. Thread-safe: the API client is built once and shared by worker threads."""

    def __init__(self, name: str, config: KubernetesConfig) -> None:
        self.name = name
        self.config = config
        self.skew = Skew(name, config.clock_skew_seconds)
        self._api: Any = None

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> Kubernetes:
        """The connector for one ``connectors`` entry (its options validated as
        KubernetesConfig).
        """
        return cls(plugin.name, parse_options(KubernetesConfig, plugin))

    @property
    def where(self) -> str:
        """Where the API server is, for messages: its URL, ``in-cluster`` or ``kubeconfig``."""
        return self.config.url or ("in-cluster" if self.config.in_cluster else "kubeconfig")

    # protocols ------------------------------------------------------------------------------

    async def check(self) -> None:
        """List one pod of the first namespace: proves the server answers and the credentials may
        read.
        """
        await self._list("list_namespaced_pod", self.config.namespaces[0], limit=1)

    async def server_version(self) -> str:
        """The API server's ``gitVersion`` (``GET /version``), e.g. ``v1.29.4``."""
        body = await asyncio.to_thread(self._call, "version", "get_code")
        return str(json.loads(body).get("gitVersion") or "")

    async def pods(self, service: str | None, start: datetime, end: datetime) -> list[Pod]:
        """The service's pods now (a cluster keeps no past), sorted by namespace and name."""
        self.skew.window(start, end)
        found = [
            convert.pod(p, self.config.service_labels) for p in await self._objects("pods", service)
        ]
        return sorted(found, key=lambda p: (p.namespace, p.name))

    async def events(
        self, service: str | None, start: datetime, end: datetime
    ) -> list[ClusterEvent]:
        """The events of objects owned by the service's workloads, newest first; those without a
        time are skipped.
        """
        self.skew.window(start, end)
        owners = await self._owners()
        out = []
        for ns in self.config.namespaces:
            for obj in await self._list("list_namespaced_event", ns):
                involved = obj.get("involvedObject") or {}
                owner = owners.get((involved.get("namespace") or ns, involved.get("name", "")))
                if service is not None and owner != service:
                    continue
                found = convert.event(obj, owner)
                if found is not None:
                    found = found.model_copy(update={"at": self.skew.inbound(found.at)})
                    if start <= found.at <= end:
                        out.append(found)
        return sorted(out, key=lambda e: e.at, reverse=True)

    async def rollouts(self, service: str) -> list[Rollout]:
        """The ReplicaSet revisions the cluster keeps for the service, per workload, newest
        first.
        """
        found = await self._rollouts(service)
        return sorted(found, key=lambda r: (r.workload, -r.revision))

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        """The revisions created in [start, end] as deploys, each with the version it replaced."""
        self.skew.window(start, end)
        return convert.deploys(await self._rollouts(service), start, end)

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """Pod logs of the service's containers since ``query.start``, parsed and filtered,
        newest first. Lines without a Kubernetes timestamp are dropped.
        """
        self.skew.window(query.start, query.end)
        since = (datetime.now(UTC) - self.skew.outbound(query.start)).total_seconds()
        records: list[LogRecord] = []
        for pod in await self._objects("pods", query.service):
            svc = convert.service_of(pod, self.config.service_labels) or "unknown"
            meta = pod.get("metadata") or {}
            for c in (pod.get("spec") or {}).get("containers") or []:
                text = await self._pod_log(
                    meta.get("namespace", "default"), meta["name"], c["name"], since
                )
                for line in text.splitlines():
                    stamp, _, rest = line.partition(" ")
                    at = convert.timestamp(stamp)
                    record = parse_line(rest, service=svc, fallback=at) if at else None
                    if record is not None:
                        labels = {"pod": meta["name"], "container": c["name"]}
                        record = record.model_copy(
                            update={
                                "timestamp": self.skew.inbound(at or record.timestamp),
                                "labels": labels,
                            }
                        )
                        if matches(record, query, start=query.start, end=query.end):
                            records.append(record)
        return newest_first(records, query.limit)

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """Pod logs as they come, by polling ``search`` every ``poll_seconds``."""
        async for record in poll_tail(self.search, query, interval=self.config.poll_seconds):
            yield record

    async def dependencies(self) -> dict[str, list[str]]:
        """The service graph of every configured namespace (see ``topology.graph``)."""
        graph: dict[str, list[str]] = {}
        for ns in self.config.namespaces:
            services = await self._list("list_namespaced_service", ns)
            endpoints = await self._list("list_namespaced_endpoints", ns)
            pods = await self._list("list_namespaced_pod", ns)
            graph.update(topology.graph(services, endpoints, pods))
        return graph

    async def endpoints(self) -> dict[str, list[str]]:
        """The DNS names and ClusterIPs of every Service in the watched namespaces."""
        found: dict[str, list[str]] = {}
        for ns in self.config.namespaces:
            found.update(topology.hosts(await self._list("list_namespaced_service", ns)))
        return found

    async def owners(self) -> list[Ownership]:
        """The owners the Services and Deployments of the watched namespaces name (see
        ``ownership``)."""
        found: list[Ownership] = []
        labels = self.config.service_labels
        for ns in self.config.namespaces:
            services = await self._list("list_namespaced_service", ns)
            deployments = await self._list("list_namespaced_deployment", ns)
            found += ownership.owners("Service", services, labels)
            found += ownership.owners("Deployment", deployments, labels)
        return found

    # access ----------------------------------------------------------------------------------

    async def _owners(self) -> dict[tuple[str, str], str]:
        """(namespace, name) of every pod, ReplicaSet and Deployment → the service it belongs to."""
        owners: dict[tuple[str, str], str] = {}
        for obj in [*await self._objects("pods", None), *await self._objects("replicasets", None)]:
            meta = obj.get("metadata") or {}
            ns, svc = (
                meta.get("namespace") or "default",
                convert.service_of(obj, self.config.service_labels),
            )
            if svc is None:
                continue
            owners[(ns, meta.get("name", ""))] = svc
            for ref in meta.get("ownerReferences") or []:
                owners[(ns, ref.get("name", ""))] = svc
        return owners

    async def _objects(self, kind: str, service: str | None) -> list[Obj]:
        method = {"pods": "list_namespaced_pod", "replicasets": "list_namespaced_replica_set"}[kind]
        labels = self.config.service_labels
        out = []
        for ns in self.config.namespaces:
            selector = f"{labels[0]}={service}" if service and len(labels) == 1 else None
            for obj in await self._list(method, ns, label_selector=selector):
                owner = convert.service_of(obj, labels)
                if owner is not None and (service is None or owner == service):
                    out.append(obj)
        return out

    async def _rollouts(self, service: str | None) -> list[Rollout]:
        found = []
        for obj in await self._objects("replicasets", service):
            owner = convert.service_of(obj, self.config.service_labels) or ""
            r = convert.rollout(obj, owner)
            if r is not None:
                found.append(r.model_copy(update={"at": self.skew.inbound(r.at)}))
        return found

    async def _list(self, method: str, namespace: str, **params: Any) -> list[Obj]:
        params = {k: v for k, v in params.items() if v is not None}
        api = "apps" if method.endswith(("replica_set", "deployment")) else "core"
        body = await asyncio.to_thread(self._call, api, method, namespace, **params)
        items = json.loads(body).get("items") or []
        return [i for i in items if isinstance(i, dict)]

    async def _pod_log(self, namespace: str, pod: str, container: str, since: float) -> str:
        body = await asyncio.to_thread(
            self._call, "core", "read_namespaced_pod_log", pod, namespace,
            container=container, timestamps=True, since_seconds=max(1, math.ceil(since)),
            tail_lines=self.config.log_lines,
        )  # fmt: skip
        return body.decode("utf-8", errors="replace")

    def _call(self, api: str, method: str, *args: Any, **kwargs: Any) -> bytes:
        """One API call in the calling (worker) thread; the raw body, or ConnectorError."""
        client = self._client()
        apis = {"apps": kubernetes.client.AppsV1Api, "version": kubernetes.client.VersionApi}
        target = apis.get(api, kubernetes.client.CoreV1Api)(client)
        fn: Callable[..., Any] = getattr(target, method)
        try:
            response = fn(
                *args,
                _preload_content=False,
                _request_timeout=self.config.timeout_seconds,
                **kwargs,
            )
        except kubernetes.client.ApiException as exc:
            raise ConnectorError(
                f"the API server at {self.where} answered {exc.status} {exc.reason}: "
                f"{_status_message(exc.body)}",
                connector=self.name,
                retryable=exc.status is None or exc.status >= 500 or exc.status == 429,
            ) from None
        except urllib3.exceptions.HTTPError as exc:
            reason = str(getattr(exc, "reason", None) or exc).splitlines()[0]
            raise ConnectorError(
                f"cannot reach the API server at {self.where}: {reason}", connector=self.name
            ) from None
        return bytes(response.data)

    def _client(self) -> Any:
        if self._api is not None:
            return self._api
        cfg = kubernetes.client.Configuration()
        try:
            if self.config.url:
                cfg.host = self.config.url.rstrip("/")
                if self.config.token:
                    cfg.api_key = {
                        "authorization": f"Bearer {self.config.token.get_secret_value()}"
                    }
                cfg.verify_ssl = self.config.verify_tls
                cfg.ssl_ca_cert = self.config.ca_file
            elif self.config.in_cluster:
                kubernetes.config.load_incluster_config(client_configuration=cfg)
            else:
                kubernetes.config.load_kube_config(
                    config_file=self.config.kubeconfig, context=self.config.context,
                    client_configuration=cfg,
                )  # fmt: skip
        except (kubernetes.config.ConfigException, OSError) as exc:
            raise ConnectorError(
                f"cannot load the Kubernetes configuration ({self.where}): {exc}",
                connector=self.name,
                retryable=False,
            ) from None
        cfg.retries = 0
        self._api = kubernetes.client.ApiClient(cfg)
        return self._api


def _status_message(body: Any) -> str:
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return " ".join(str(body or "no message").split())[:300]
    return str(data.get("message") or data.get("reason") or data)[:300]
