"""MLflow's model registry as a connector: ``kind: mlflow``, read over MLflow's REST API.

Reads a registered model's versions (``GET /api/2.0/mlflow/model-versions/search``), its aliases
(``GET /api/2.0/mlflow/registered-models/get``), the version an alias points at and the run that
produced a version (``GET /api/2.0/mlflow/runs/get``: its metrics, params and tags). Writes one
thing, for the ``mlflow`` driver: an alias moved to another version
(``POST /api/2.0/mlflow/registered-models/alias``). Failures are ConnectorErrors naming the URL
(``HttpBackend``); an unknown model or version answers RESOURCE_DOES_NOT_EXIST, not retryable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from nightowl.connectors.base import parse_options
from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.settings import PluginConfig, Settings

API = "/api/2.0/mlflow"


class MLflowConfig(HttpConfig):
    """``kind: mlflow``: the tracking server's URL (and token, if it takes one)."""


class ModelVersion(BaseModel):
    """One registered version of a model: where it came from and which aliases point at it."""

    model_config = ConfigDict(frozen=True)

    model: str
    version: int
    created_at: datetime
    run_id: str = ""
    source: str = ""
    stage: str = "None"
    status: str = ""
    aliases: tuple[str, ...] = ()


class RunSummary(BaseModel):
    """The training run behind a version: its metrics, params and tags."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    status: str
    metrics: dict[str, float] = {}
    params: dict[str, str] = {}
    tags: dict[str, str] = {}


def _version(raw: dict[str, Any]) -> ModelVersion:
    return ModelVersion(
        model=raw["name"],
        version=int(raw["version"]),
        created_at=datetime.fromtimestamp(int(raw.get("creation_timestamp", 0)) / 1000, UTC),
        run_id=raw.get("run_id", ""),
        source=raw.get("source", ""),
        stage=raw.get("current_stage", "None"),
        status=raw.get("status", ""),
        aliases=tuple(raw.get("aliases", ())),
    )


class MLflowRegistry:
    """A client of one MLflow server's registry. Stateless between calls; safe to share."""

    def __init__(
        self, name: str, config: MLflowConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.name = name
        self.config = config
        self.http = HttpBackend(name, config, transport=transport)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> MLflowRegistry:
        """The connector of one ``connectors`` entry (its options validated as MLflowConfig)."""
        return cls(plugin.name, parse_options(MLflowConfig, plugin))

    async def check(self) -> None:
        """List one registered model: proves the server answers and the token may read."""
        await self.http.get_json(f"{API}/registered-models/search", {"max_results": 1})

    async def versions(self, model: str) -> list[ModelVersion]:
        """Every version of ``model``, oldest first."""
        found: list[ModelVersion] = []
        params: dict[str, Any] = {"filter": f"name='{model}'", "max_results": 200}
        while True:
            data = await self.http.get_json(f"{API}/model-versions/search", params)
            found += [_version(v) for v in data.get("model_versions", [])]
            token = data.get("next_page_token")
            if not token:
                break
            params = params | {"page_token": token}
        aliases = await self.aliases(model)
        by_version: dict[int, list[str]] = {}
        for alias, version in aliases.items():
            by_version.setdefault(version, []).append(alias)
        found = [
            v.model_copy(update={"aliases": tuple(sorted(by_version.get(v.version, [])))})
            for v in found
        ]
        return sorted(found, key=lambda v: v.version)

    async def aliases(self, model: str) -> dict[str, int]:
        """alias → version of ``model``."""
        data = await self.http.get_json(f"{API}/registered-models/get", {"name": model})
        raw = data.get("registered_model", {}).get("aliases", [])
        return {a["alias"]: int(a["version"]) for a in raw}

    async def run(self, run_id: str) -> RunSummary:
        """The run that produced a version."""
        data = (await self.http.get_json(f"{API}/runs/get", {"run_id": run_id}))["run"]
        body = data.get("data", {})
        return RunSummary(
            run_id=run_id,
            status=data.get("info", {}).get("status", ""),
            metrics={m["key"]: float(m["value"]) for m in body.get("metrics", [])},
            params={p["key"]: p["value"] for p in body.get("params", [])},
            tags={t["key"]: t["value"] for t in body.get("tags", [])},
        )

    async def set_alias(self, model: str, alias: str, version: int) -> None:
        """Point ``alias`` at ``version`` (the only write; the driver calls it)."""
        body = {"name": model, "alias": alias, "version": str(version)}
        await self.http.post_json(f"{API}/registered-models/alias", body)
