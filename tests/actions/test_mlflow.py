"""``kind: mlflow`` driver against a real ``mlflow server``: a model rollback moves the alias to
the previous version with its pre-state, a dry run reads and writes nothing, a repeated key acts
once, and rollback puts the alias back."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from nightowl_lab.harness.mlflow import MLflowServer

from nightowl.actions.mlflow import MLflowDriver, MLflowDriverConfig
from nightowl.actions.protocol import ActionDriver
from nightowl.domain import ActionSpec, ActionStatus, Risk
from nightowl.errors import ActionError

pytestmark = pytest.mark.asyncio


def spec(model: str, **params: str | int) -> ActionSpec:
    return ActionSpec(
        kind="model_rollback",
        service="churn-api",
        params={"model": model, **params},
        runbook="model-drift",
        risk=Risk.HIGH,
        reason="drift",
        rollback="move the alias back",
        idempotency_key=f"k-{uuid.uuid4().hex}",
    )


def served(server: MLflowServer, versions: int = 3) -> str:
    model = f"churn-{uuid.uuid4().hex[:6]}"
    numbers = [server.register(model) for _ in range(versions)]
    server.alias(model, "champion", numbers[-1])
    return model


def driver(server: MLflowServer, tmp_path: Path) -> MLflowDriver:
    return MLflowDriver("registry", MLflowDriverConfig(url=server.url), tmp_path)


async def test_rollback_moves_the_alias_back_once_and_undoes(
    mlflow_server: MLflowServer, tmp_path: Path
) -> None:
    model, d = served(mlflow_server), driver(mlflow_server, tmp_path)
    assert isinstance(d, ActionDriver)
    action = spec(model)
    done = await d.apply(action, dry_run=False)
    assert done.status is ActionStatus.SUCCEEDED
    assert done.pre_state.version == "3"
    assert done.post_state.version == "2"
    assert await d.registry.aliases(model) == {"champion": 2}
    again = await d.apply(action, dry_run=False)  # same key: replayed, not moved to 1
    assert again.message.startswith("already applied")
    assert await d.registry.aliases(model) == {"champion": 2}
    undone = await d.rollback(done)
    assert undone.status is ActionStatus.ROLLED_BACK
    assert await d.registry.aliases(model) == {"champion": 3}


async def test_dry_run_reads_and_writes_nothing(
    mlflow_server: MLflowServer, tmp_path: Path
) -> None:
    model, d = served(mlflow_server), driver(mlflow_server, tmp_path)
    preview = await d.apply(spec(model, to_version=1), dry_run=True)
    assert preview.status is ActionStatus.DRY_RUN
    assert (preview.pre_state.version, preview.post_state.version) == ("3", "1")
    assert await d.registry.aliases(model) == {"champion": 3}


async def test_nowhere_to_roll_back_to(mlflow_server: MLflowServer, tmp_path: Path) -> None:
    model, d = served(mlflow_server, versions=1), driver(mlflow_server, tmp_path)
    with pytest.raises(ActionError, match="no version to roll back to"):
        await d.apply(spec(model), dry_run=True)
    with pytest.raises(ActionError, match="no alias 'stable'"):
        await d.apply(spec(model, alias="stable"), dry_run=True)
