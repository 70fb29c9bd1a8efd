"""``kind: kubernetes`` — act on Deployments, Pods and Nodes with the official client.

Kinds: ``scale`` (to ``replicas``) and ``scale_out`` (by ``factor``) within bounds, ``restart``
(a rollout restart), ``rollback`` (to the previous ReplicaSet revision), ``delete_pod`` (one pod,
the most restarted), ``drain_node`` (cordon, then delete its pods one by one, skipping DaemonSet
pods — like ``kubectl drain --disable-eviction``), ``patch_resources`` (a container's limits).

Idempotence: every write annotates its object with the action's key and captured pre-state
(``nightowl.dev/action``, ``nightowl.dev/pre-state``); applying a key that is already there does
nothing and returns the recorded pre-state. The client is synchronous, so each call runs in a
thread. API errors become ActionError: 409, 429 and 5xx are retryable.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr

from nightowl.actions import kube_api, kube_ops
from nightowl.actions.config import options
from nightowl.actions.results import now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus
from nightowl.errors import ActionError, ConfigError
from nightowl.settings import PluginConfig, Settings

T = TypeVar("T")
KEY = "nightowl.dev/action"
PRE = "nightowl.dev/pre-state"


class KubernetesConfig(BaseModel):
    """``kind: kubernetes``: how to reach the API server, and where each service's Deployment
    lives.

    Credentials come from ``host`` (+ ``token``), else the pod's own service account
    (``in_cluster``), else a kubeconfig (``kubeconfig`` or the default one, and ``context``).
    ``namespaces`` and ``deployments`` map a service to its namespace and Deployment
    name (default: ``namespace`` and the service's name); ``selector`` is the label selector of
    its pods, with ``{service}`` filled in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str | None = None
    token: SecretStr | None = None
    verify_ssl: bool = True
    kubeconfig: Path | None = None
    context: str | None = None
    in_cluster: bool = False
    namespace: str = "default"
    namespaces: dict[str, str] = {}
    deployments: dict[str, str] = {}
    selector: str = "app={service}"


class KubernetesDriver:
    """Writes to one cluster. Concurrency: calls may run in parallel; each is one API round trip
    or a short sequence of them; nothing is cached between calls."""

    Config = KubernetesConfig
    kinds = frozenset(kube_ops.OPERATIONS)

    def __init__(self, name: str, config: KubernetesConfig, api_client: Any = None) -> None:
        self.name = name
        self.config = config
        self.api = api_client or _api_client(config)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> KubernetesDriver:
        """The driver for one ``actions.drivers`` entry (its options validated as
        KubernetesConfig).
        """
        return cls(plugin.name, options(plugin, KubernetesConfig))

    def target(self, action: ActionSpec) -> kube_api.Target:
        """The Deployment, namespace and pod selector ``action``'s service maps to."""
        cfg = self.config
        return kube_api.Target(
            namespace=cfg.namespaces.get(action.service, cfg.namespace),
            deployment=cfg.deployments.get(action.service, action.service),
            selector=cfg.selector.format(service=action.service),
        )

    def plan(self, action: ActionSpec) -> str:
        """What ``action`` would do, in one line; reads nothing from the cluster."""
        t = self.target(action)
        return kube_ops.describe(action, t)

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Read the pre-state; a Deployment already stamped with this key is reported as done,
        not done again. A dry run previews (post-state, blast radius); a real run writes with the
        key stamped.
        """
        op = self._op(action.kind)
        started, t = now(), self.target(action)
        state = await self._call(lambda: op.read(self.api, t, action))
        marker = state.marker
        if not dry_run and marker.get(KEY) == action.idempotency_key:
            pre = json.loads(marker.get(PRE) or "{}")
            return result(
                action,
                self.name,
                ActionStatus.SUCCEEDED,
                started,
                pre=pre,
                post=state.pre,
                message=f"already applied ({action.idempotency_key}): nothing done again",
            )
        post, radius, text = op.preview(state, action)
        if dry_run:
            return result(
                action,
                self.name,
                ActionStatus.DRY_RUN,
                started,
                pre=state.pre,
                post=post,
                message=f"dry run: would {text}",
                radius=radius,
            )
        stamp = {KEY: action.idempotency_key, PRE: json.dumps(state.pre, sort_keys=True)}
        await self._call(lambda: op.write(self.api, t, action, state, stamp))
        return result(
            action,
            self.name,
            ActionStatus.SUCCEEDED,
            started,
            pre=state.pre,
            post=post,
            message=text,
            radius=radius,
        )

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Undo the operation from the pre-state it recorded (a restart says it cannot be
        undone).
        """
        op = self._op(done.kind)
        started = now()
        spec = ActionSpec(
            kind=done.kind,
            service=done.service,
            runbook="",
            risk="low",
            reason="rollback",
            rollback="",
            idempotency_key=done.idempotency_key,
        )
        t = self.target(spec)
        message = await self._call(lambda: op.undo(self.api, t, done.pre_state.flat()))
        return rolled_back(done, self.name, started, done.pre_state.flat(), message)

    def _op(self, kind: str) -> kube_api.Operation:
        op = kube_ops.OPERATIONS.get(kind)
        if op is None:
            raise ActionError(f"cannot perform {kind!r}", driver=self.name)
        return op

    async def _call(self, fn: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(fn)
        except kube_api.ApiException as exc:
            retry = exc.status in (409, 429) or (exc.status or 0) >= 500
            raise ActionError(
                f"Kubernetes answered {exc.status} {exc.reason}: {_message(exc)}",
                driver=self.name,
                retryable=retry,
            ) from None
        except kube_api.Refused as exc:
            raise ActionError(str(exc), driver=self.name) from None
        except OSError as exc:
            raise ActionError(
                f"cannot reach the Kubernetes API: {exc}", driver=self.name, retryable=True
            ) from None


def _message(exc: Any) -> str:
    try:
        return str(json.loads(exc.body).get("message", ""))[:200]
    except (TypeError, ValueError, AttributeError):
        return ""


def _api_client(config: KubernetesConfig) -> Any:
    try:
        from kubernetes import client
        from kubernetes import config as kubeconfig
    except ImportError:
        raise ConfigError(
            "the kubernetes driver needs the kubernetes client: pip install 'nightowl[kubernetes]'",
            where="actions.drivers",
        ) from None
    if config.host:
        configuration = client.Configuration()
        configuration.host = config.host
        configuration.verify_ssl = config.verify_ssl
        if config.token:
            configuration.api_key = {"authorization": f"Bearer {config.token.get_secret_value()}"}
        return client.ApiClient(configuration)
    if config.in_cluster:
        kubeconfig.load_incluster_config()
        return client.ApiClient()
    return kubeconfig.new_client_from_config(
        config_file=str(config.kubeconfig) if config.kubeconfig else None, context=config.context
    )
