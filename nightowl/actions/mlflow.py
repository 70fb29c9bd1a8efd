"""``kind: mlflow`` — roll a served model back in MLflow's registry: move an alias (the one the
serving layer loads, ``champion`` unless ``params.alias`` says) from the version it points at to
the previous one (or ``params.to_version``).

The pre-state is the alias's current version, read before anything is written; a dry run reads it
and the target and writes nothing; applying the same idempotency key twice moves the alias once
(the ledger); rollback points the alias back at the captured version. The registry's errors are
ActionErrors, retryable when the server was unreachable or answered 5xx.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict

from nightowl.actions.config import options
from nightowl.actions.ledger import Ledger
from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.connectors.mlflow import MLflowConfig, MLflowRegistry
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.errors import ActionError, ConnectorError
from nightowl.settings import PluginConfig, Settings

DEFAULT_ALIAS = "champion"


class MLflowDriverConfig(MLflowConfig):
    """``kind: mlflow`` driver: the server, and where the ledger is kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state_dir: Path | None = None


class Target(BaseModel):
    """What a rollback would do: the alias, the version it is on, the version it goes to."""

    model_config = ConfigDict(frozen=True)

    model: str
    alias: str
    current: int
    to: int


class MLflowDriver:
    """Moves registry aliases over MLflow's REST API. Safe to call concurrently."""

    Config = MLflowDriverConfig
    kinds = frozenset({"model_rollback"})

    def __init__(
        self,
        name: str,
        config: MLflowDriverConfig,
        state_dir: Path,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.registry = MLflowRegistry(name, config, transport=transport)
        self.ledger = Ledger((config.state_dir or state_dir) / f"mlflow-{name}-ledger.json")

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> MLflowDriver:
        """The driver of one ``actions.drivers`` entry (options validated as MLflowDriverConfig)."""
        return cls(plugin.name, options(plugin, MLflowDriverConfig), settings.data_dir / "actions")

    def plan(self, action: ActionSpec) -> str:
        model, alias = _names(action)
        to = action.params.get("to_version")
        where = f"version {to}" if to else "the previous version"
        return f"move alias {alias!r} of model {model!r} back to {where}"

    async def target(self, action: ActionSpec) -> Target:
        """Read where the alias is and where it would go (ActionError if there is nowhere)."""
        model, alias = _names(action)
        try:
            aliases = await self.registry.aliases(model)
            versions = [v.version for v in await self.registry.versions(model)]
        except ConnectorError as exc:
            raise ActionError(str(exc), driver=self.name, retryable=exc.retryable) from None
        if alias not in aliases:
            raise ActionError(f"model {model!r} has no alias {alias!r}", driver=self.name)
        current = aliases[alias]
        wanted = action.params.get("to_version")
        if wanted is not None:
            to = int(wanted)
            if to not in versions:
                raise ActionError(f"model {model!r} has no version {to}", driver=self.name)
        else:
            older = [v for v in versions if v < current]
            if not older:
                raise ActionError(
                    f"{alias!r} is on version {current}, the oldest of {model!r}: no version to "
                    "roll back to",
                    driver=self.name,
                )
            to = max(older)
        return Target(model=model, alias=alias, current=current, to=to)

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Capture the alias's version, then move it once per key; a dry run only reads."""
        started = now()
        if not dry_run and (done := self.ledger.replay(action.idempotency_key)) is not None:
            return done
        t = await self.target(action)
        pre: dict[str, Scalar] = {"model": t.model, "alias": t.alias, "version": str(t.current)}
        post: dict[str, Scalar] = pre | {"version": str(t.to)}
        radius = BlastRadius(summary=f"every caller that loads {t.model}@{t.alias}")
        plan = f"move {t.model}@{t.alias} from version {t.current} to {t.to}"
        if dry_run:
            return dry_run_result(
                action, self.name, started, pre=pre, plan=plan, post=post, radius=radius
            )
        await self._set(t.model, t.alias, t.to)
        done = result(
            action,
            self.name,
            ActionStatus.SUCCEEDED,
            started,
            pre=pre,
            post=post,
            message=f"moved {t.model}@{t.alias} from version {t.current} to {t.to}",
            radius=radius,
        )
        self.ledger.put(done)
        return done

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Point the alias back at the version captured before ``done``."""
        started = now()
        facts = done.pre_state.flat()  # "version" is the typed field, the rest are facts
        model, alias, version = str(facts["model"]), str(facts["alias"]), int(str(facts["version"]))
        await self._set(model, alias, version)
        return rolled_back(
            done, self.name, started, facts, f"moved {model}@{alias} back to version {version}"
        )

    async def _set(self, model: str, alias: str, version: int) -> None:
        try:
            await self.registry.set_alias(model, alias, version)
        except ConnectorError as exc:
            raise ActionError(str(exc), driver=self.name, retryable=exc.retryable) from None


def _names(action: ActionSpec) -> tuple[str, str]:
    model = str(action.params.get("model") or action.service)
    return model, str(action.params.get("alias") or DEFAULT_ALIAS)
