"""The rightsizing watcher over a real, backfilled Prometheus: findings with the saving as a
negative monthly cost delta and a reversible ``scale`` proposed for replica cuts, priced from the
shared ``cost:`` settings (OpenCost's runtime price, the replica table, the unit prices) unless
the watcher's own ``prices`` override them."""

from __future__ import annotations

from asyncio import run
from datetime import datetime

import pytest

from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.connectors.sources import Sources
from nightowl.domain import Severity
from nightowl.domain.cost import Allocation
from nightowl.domain.findings import Finding
from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.pricing import PriceTable
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


def test_savings_are_priced_from_the_shared_cost_settings_unless_overridden(
    history: tuple[str, datetime],
) -> None:
    url, now = history
    prom = Sources.of([Prometheus("prom", PrometheusConfig.model_validate({"url": url}))])
    settings = Settings.model_validate(
        {"cost": {"replicas": {"web": 50.0}, "cpu_hour": 0.068, "gib_hour": 0.009}}
    )

    def check(table: PriceTable | None = None, **options: object) -> dict[str, Finding]:
        ctx = WatchContext(now=now, settings=settings, sources=prom, pricing=table)
        return {f.resource: f for f in run(watcher(**options).check(ctx))}

    by = check()
    web, pool = by["shop/web"], by["general"]
    # web: 6 → 2 replicas at cost.replicas' 50/month each, as a scale is charged
    assert (web.monthly_cost_delta, web.evidence["priced_by"]) == (-200.0, "cost.replicas")
    assert pool.evidence["priced_by"] == "capacity"
    plain = check(prices={})  # the watcher's own (default) unit prices: half of cost's
    assert pool.monthly_cost_delta is not None
    assert plain["general"].monthly_cost_delta == pytest.approx(
        pool.monthly_cost_delta / 2, abs=0.02
    )
    assert plain["shop/web"].monthly_cost_delta == pytest.approx(
        -(4 * 0.034 + 4 * 0.0045) * 730, abs=0.01
    )
    # OpenCost's runtime cost (as the serving process reads it) comes before the table
    table = PriceTable(settings.cost)
    table.observe([Allocation(name="web", total=20.0, monthly=600.0)])
    running = check(table)["shop/web"]
    assert (running.monthly_cost_delta, running.evidence["priced_by"]) == (-400.0, "opencost")


def test_no_metrics_connector_is_a_watcher_error_and_bad_options_a_config_error() -> None:
    ctx = WatchContext(now=datetime(2026, 12, 1), settings=Settings())
    with pytest.raises(WatcherError, match="no metrics connector"):
        run(watcher().check(ctx))
    with pytest.raises(ConfigError, match="sizes"):
        watcher(thresholds={"ratio": 0.5})
