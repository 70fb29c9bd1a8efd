"""``kind: mlflow`` against a real ``mlflow server`` (SQLite backend) on loopback: versions with
their aliases, an alias's version, the run behind a version, and clear errors."""

from __future__ import annotations

import uuid

import pytest
from nightowl_lab.harness.mlflow import MLflowServer

from nightowl.connectors.mlflow import MLflowConfig, MLflowRegistry
from nightowl.errors import ConnectorError

pytestmark = pytest.mark.asyncio


def registry(server: MLflowServer) -> MLflowRegistry:
    return MLflowRegistry("registry", MLflowConfig(url=server.url))


async def test_versions_aliases_and_run(mlflow_server: MLflowServer) -> None:
    model = f"churn-{uuid.uuid4().hex[:6]}"
    first = mlflow_server.register(model, metrics={"auc": 0.91})
    second = mlflow_server.register(model, metrics={"auc": 0.93})
    mlflow_server.alias(model, "champion", second)
    mlflow_server.alias(model, "previous", first)
    reg = registry(mlflow_server)
    await reg.check()
    versions = await reg.versions(model)
    assert [(v.version, v.aliases) for v in versions] == [
        (first, ("previous",)),
        (second, ("champion",)),
    ]
    assert await reg.aliases(model) == {"champion": second, "previous": first}
    run = await reg.run(versions[1].run_id)
    assert run.metrics == {"auc": 0.93}
    assert versions[1].source.startswith("runs:/")


async def test_unknown_model_is_a_connector_error(mlflow_server: MLflowServer) -> None:
    with pytest.raises(ConnectorError, match=r"RESOURCE_DOES_NOT_EXIST|not found"):
        await registry(mlflow_server).aliases("no-such-model")
