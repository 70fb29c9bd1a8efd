"""``kind: model_drift``: an injected unit change in one feature becomes one finding naming the
feature, its cause and both distributions, proposing the model rollback — and that action, run
by the MLflow driver against a real ``mlflow server``, moves the alias back."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nightowl_lab.harness.mlflow import MLflowServer

from nightowl.actions.mlflow import MLflowDriver, MLflowDriverConfig
from nightowl.domain import ActionStatus
from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.model_drift import ModelDriftWatcher
from nightowl.watchers.protocol import WatchContext
from tests.mlops.windows import window, write


def watcher(
    tmp_path: Path, current: dict[str, list[object]], model: str, **more: object
) -> ModelDriftWatcher:
    options = {
        "model": model,
        "reference": str(write(tmp_path / "ref.csv", window(1))),
        "current": str(write(tmp_path / "cur.csv", current)),
        **more,
    }
    config = WatcherConfig(name="churn-drift", kind="model_drift", options=options)
    return ModelDriftWatcher.from_config(config, Settings())


def check(w: ModelDriftWatcher, now: datetime | None = None) -> list:  # type: ignore[type-arg]
    ctx = WatchContext(now=now or datetime.now(UTC), settings=Settings())
    return asyncio.run(w.check(ctx))


def test_unit_change_is_a_finding_that_proposes_the_rollback(
    tmp_path: Path, mlflow_server: MLflowServer
) -> None:
    model = "churn-unit"
    for _ in range(2):
        version = mlflow_server.register(model)
    mlflow_server.alias(model, "champion", version)
    cur = window(2)
    cur["height_cm"] = [round(v / 2.54, 2) for v in cur["height_cm"]]  # type: ignore[operator]
    (finding,) = check(watcher(tmp_path, cur, model))
    assert finding.evidence["feature"] == "height_cm"
    assert finding.evidence["cause"] == "unit_change"
    assert finding.title == f"model {model}: height_cm drifted (unit change)"
    shown = json.loads(str(finding.evidence["distribution"]))
    assert len(shown["reference"]) == len(shown["current"]) == len(shown["labels"])
    action = finding.proposed.action
    assert action is not None
    assert action.kind == "model_rollback"
    driver = MLflowDriver("registry", MLflowDriverConfig(url=mlflow_server.url), tmp_path)
    done = asyncio.run(driver.apply(action, dry_run=False))  # what the executor runs once approved
    assert done.status is ActionStatus.SUCCEEDED
    assert asyncio.run(driver.registry.aliases(model)) == {"champion": version - 1}


def test_clean_windows_find_nothing(tmp_path: Path) -> None:
    assert check(watcher(tmp_path, window(2), "m")) == []


def test_bad_options_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"options\.model"):
        ModelDriftWatcher.from_config(
            WatcherConfig(name="w", kind="model_drift", options={"reference": "a", "current": "b"}),
            Settings(),
        )
    w = watcher(tmp_path, window(2), "m")
    (tmp_path / "cur.csv").unlink()
    with pytest.raises(WatcherError, match="no such file"):
        check(w)


def unit_changed() -> dict[str, list[object]]:
    cur = window(2)
    cur["height_cm"] = [round(v / 2.54, 2) for v in cur["height_cm"]]  # type: ignore[operator]
    return cur


def test_the_registry_names_the_version_and_a_deploy_within_the_window(
    tmp_path: Path, mlflow_server: MLflowServer
) -> None:
    model = "churn-served"
    for _ in range(2):
        version = mlflow_server.register(model)
    mlflow_server.alias(model, "champion", version)
    registry = {"url": mlflow_server.url}
    w = watcher(tmp_path, unit_changed(), model, registry=registry, owner="ml-team")
    (finding,) = check(w)
    assert finding.evidence["version"] == str(version)
    assert finding.evidence["deploy_coincides"] is True
    assert finding.evidence["owner"] == "ml-team"
    assert finding.title.startswith(f"model {model} v{version}: height_cm drifted (unit change)")
    assert finding.title.endswith(f"version {version} was registered within the window")
    (later,) = check(w, datetime.now(UTC) + timedelta(hours=2))  # registered before the window
    assert later.evidence["deploy_coincides"] is False
    assert "registered within" not in later.title


def test_an_unreadable_registry_leaves_the_version_unknown(tmp_path: Path) -> None:
    registry = {"url": "http://127.0.0.1:9", "timeout_seconds": 2}
    (finding,) = check(watcher(tmp_path, unit_changed(), "m", registry=registry))
    assert "version" not in finding.evidence
    assert str(finding.evidence["registry"]).startswith("unavailable: ")
    assert finding.evidence["feature"] == "height_cm"  # the drift is still reported


def test_a_title_names_the_other_columns_paging_in_the_run(tmp_path: Path) -> None:
    cur = unit_changed()
    cur["plan"] = ["enterprise" if i % 3 == 0 else v for i, v in enumerate(cur["plan"])]
    titles = sorted(f.title for f in check(watcher(tmp_path, cur, "churn")))
    assert titles == [
        "model churn: height_cm drifted (unit change); also plan (new category)",
        "model churn: plan drifted (new category); also height_cm (unit change)",
    ]
