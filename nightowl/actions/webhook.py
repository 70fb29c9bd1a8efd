"""``kind: webhook`` — call the user's own automation: POST the action as JSON to a named hook.

Only hooks named in the driver's config can be called (``params.hook``). Every call carries an
``Idempotency-Key`` header with the action's key, so the user's automation can drop a retry, and
nightowl keeps a ledger of applied keys so it never sends the same key twice. A dry run calls
nothing. Rollback POSTs to the hook's ``rollback_url`` with the captured pre-state, if it has one.
5xx answers and network errors are retryable; 4xx answers are recorded as a failed action.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from nightowl.actions.config import options
from nightowl.actions.ledger import AppliedLog, Ledger
from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.errors import ActionError
from nightowl.settings import PluginConfig, Settings


class Hook(BaseModel):
    """One named hook: the URL to POST an action to, an optional rollback URL, a bearer token and
    a timeout.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    rollback_url: str | None = None
    token: SecretStr | None = None
    timeout_seconds: float = 10.0


class WebhookConfig(BaseModel):
    """``kind: webhook`` driver: the hooks by name, and where the ledger is kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hooks: dict[str, Hook]
    state_dir: Path | None = None


class WebhookDriver:
    """Calls hooks over HTTP (httpx). Safe to call concurrently."""

    Config = WebhookConfig
    kinds = frozenset({"webhook"})

    def __init__(
        self,
        name: str,
        config: WebhookConfig,
        state_dir: Path,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.ledger: AppliedLog = Ledger(
            (config.state_dir or state_dir) / f"webhook-{name}-ledger.json"
        )
        self.transport = transport

    def use_ledger(self, shared: Callable[[str, Ledger], AppliedLog]) -> None:
        """Keep applied results in the database (``LedgerAware``), the file still read."""
        if isinstance(self.ledger, Ledger):
            self.ledger = shared(self.ledger.path.stem, self.ledger)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> WebhookDriver:
        """The driver of one ``actions.drivers`` entry (its options validated as WebhookConfig)."""
        return cls(plugin.name, options(plugin, WebhookConfig), settings.data_dir / "actions")

    def hook(self, action: ActionSpec) -> Hook:
        """The hook ``params.hook`` names; ActionError listing the configured ones otherwise."""
        name = str(action.params.get("hook") or "")
        hook = self.config.hooks.get(name)
        if hook is None:
            allowed = ", ".join(sorted(self.config.hooks)) or "none"
            raise ActionError(f"hook {name!r} is not configured ({allowed})", driver=self.name)
        return hook

    def plan(self, action: ActionSpec) -> str:
        """Which hook the action would be POSTed to, and its URL."""
        return f"POST {action.kind} of {action.service} to hook {action.params.get('hook')} ({self.hook(action).url})"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """POST the action once per idempotency key (the ledger replays a repeat); a dry run
        calls nothing.
        """
        started, hook = now(), self.hook(action)
        pre: dict[str, Scalar] = {"hook": str(action.params.get("hook")), "url": hook.url}
        radius = BlastRadius(summary="decided by the user's automation")
        if dry_run:
            return dry_run_result(
                action, self.name, started, pre=pre, plan=self.plan(action), radius=radius
            )
        if (done := self.ledger.replay(action.idempotency_key)) is not None:
            return done
        body = {
            "action": action.kind,
            "service": action.service,
            "params": action.params,
            "runbook": action.runbook,
            "reason": action.reason,
            "idempotency_key": action.idempotency_key,
        }
        response = await self._post(hook, hook.url, body, action.idempotency_key)
        status = ActionStatus.SUCCEEDED if response.is_success else ActionStatus.FAILED
        done = result(
            action,
            self.name,
            status,
            started,
            pre=pre,
            post=_scalars(response),
            message=f"POST {hook.url} answered {response.status_code}",
            radius=radius,
        )
        self.ledger.put(done)
        return done

    async def rollback(self, done: ActionResult) -> ActionResult:
        """POST the captured pre-state to the hook's ``rollback_url``; without one, nothing to
        undo.
        """
        started = now()
        hook = self.config.hooks.get(str(done.pre_state.facts.get("hook")))
        if hook is None or hook.rollback_url is None:
            return rolled_back(
                done,
                self.name,
                started,
                done.post_state.flat(),
                "the hook has no rollback_url; nothing was undone",
            )
        body = {
            "undo": done.idempotency_key,
            "service": done.service,
            "pre_state": done.pre_state.flat(),
        }
        response = await self._post(hook, hook.rollback_url, body, f"{done.idempotency_key}-undo")
        return rolled_back(
            done,
            self.name,
            started,
            _scalars(response),
            f"POST {hook.rollback_url} answered {response.status_code}",
        )

    async def _post(self, hook: Hook, url: str, body: dict[str, Any], key: str) -> httpx.Response:
        headers = {"Idempotency-Key": key, "User-Agent": "nightowl"}
        if hook.token:
            headers["Authorization"] = f"Bearer {hook.token.get_secret_value()}"
        try:
            async with httpx.AsyncClient(
                timeout=hook.timeout_seconds, transport=self.transport
            ) as client:
                response = await client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ActionError(
                f"POST {url} failed: {exc}", driver=self.name, retryable=True
            ) from None
        if response.status_code >= 500:
            raise ActionError(
                f"POST {url} answered {response.status_code}", driver=self.name, retryable=True
            )
        return response


def _scalars(response: httpx.Response) -> dict[str, Scalar]:
    """The answer's top-level scalar fields (at most 20), to keep as the post-state."""
    out: dict[str, Scalar] = {"status_code": response.status_code}
    try:
        data = response.json()
    except ValueError:
        return out
    if isinstance(data, dict):
        scalars = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
        out.update(dict(list(scalars.items())[:20]))
    return out
