"""The rightsizing watcher over a real, backfilled Prometheus: findings with the saving as a
negative monthly cost delta and a reversible ``scale`` proposed for replica cuts."""

from __future__ import annotations

from asyncio import run
from datetime import datetime

import pytest

from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.connectors.sources import Sources
from nightowl.domain import Severity
from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.protocol import WatchContext
from nightowl.watchers.rightsizing.watcher import RightsizingWatcher


def watcher(**options: object) -> RightsizingWatcher:
    config = WatcherConfig(
        name="sizes", kind="rightsizing", options={"queries": {"rate": "15m"}, **options}
    )
    return RightsizingWatcher.from_config(config, Settings())


def test_findings_with_savings_and_a_scale_down(history: tuple[str, datetime]) -> None:
    url, now = history
    prom = Prometheus("prom", PrometheusConfig.model_validate({"url": url}))
    found = run(
        watcher().check(WatchContext(now=now, settings=Settings(), sources=Sources.of([prom])))
    )
    by = {f.resource: f for f in found}
    assert sorted(by) == ["batch/nightly-6", "general", "shop/report", "shop/web"]
    web = by["shop/web"]
    assert web.kind == "rightsizing.overprovisioned"
    assert web.monthly_cost_delta == pytest.approx(-(4 * 0.034 + 4 * 0.0045) * 730, abs=0.01)
    assert web.proposed is not None
    assert web.proposed.action is not None
    assert (web.proposed.action.kind, web.proposed.action.params) == ("scale", {"replicas": 2})
    assert web.proposed.action.rollback == "scale back to 6 replicas"
    assert web.proposed.summary == "scale shop/web 6 → 2 replicas"
    pool = by["general"]
    assert pool.proposed is not None
    assert pool.proposed.action is None  # a node pool is resized by its owner (IaC), not a scale
    job = by["batch/nightly-6"]
    assert (job.severity, job.proposed, job.monthly_cost_delta) == (Severity.HIGH, None, None)


def test_no_metrics_connector_is_a_watcher_error_and_bad_options_a_config_error() -> None:
    ctx = WatchContext(now=datetime(2026, 12, 1), settings=Settings())
    with pytest.raises(WatcherError, match="no metrics connector"):
        run(watcher().check(ctx))
    with pytest.raises(ConfigError, match="sizes"):
        watcher(thresholds={"ratio": 0.5})
