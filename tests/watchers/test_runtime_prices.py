"""Replica prices from OpenCost's allocation API (its documented answer, the connector tests'
own; no OpenCost can run here): the price table takes a workload's runtime cost ÷ its replicas,
and a scale-out's approval request shows it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.app import Nightowl
from nightowl.app.findings import pricing
from nightowl.connectors.opencost import OpenCost, OpenCostConfig
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius
from nightowl.domain.cost import Allocation
from nightowl.errors import ConfigError
from nightowl.settings import Settings
from nightowl.settings.cost import CostSettings
from nightowl.watchers import runtime_prices
from nightowl.watchers.pricing import PriceTable
from tests.approvals.flow import auth, page, pending_request, settings_for
from tests.connectors.test_opencost import ANSWER

AT = datetime(2026, 12, 1, tzinfo=UTC)
MONTHLY = round(30.0 * 730 / 168, 2)  # checkout's week in ANSWER, scaled to a month


def opencost(seen: list[httpx.Request]) -> OpenCost:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ANSWER)

    config = OpenCostConfig(url="http://opencost:9003")
    return OpenCost("costs", config, transport=httpx.MockTransport(handler))


def scale(before: int, after: int) -> tuple[ActionSpec, ActionResult]:
    action = ActionSpec(kind="scale", service="checkout", params={"replicas": after},
                        runbook="r", risk="low", reason="r", rollback="r", idempotency_key="k")  # fmt: skip
    preview = ActionResult(
        kind="scale", service="checkout", idempotency_key="k", driver="kube",
        status=ActionStatus.DRY_RUN, dry_run=True, pre_state={"replicas": before},
        post_state={"replicas": before}, message="dry run", started_at=AT, finished_at=AT,
        blast_radius=BlastRadius(summary="", replicas_before=before, replicas_after=after),
    )  # fmt: skip
    return action, preview


def test_observed_runtime_cost_prices_the_replicas_before_the_table() -> None:
    table = PriceTable(CostSettings(replicas={"*": 50.0}))
    action, preview = scale(3, 6)
    assert table.monthly_delta(action, preview) == 150.0  # the table
    table.observe([Allocation(name="checkout", total=1, monthly=300.0),
                   Allocation(name="__idle__", total=1, monthly=999.0)])  # fmt: skip
    assert table.monthly_delta(action, preview) == 300.0  # 3 more replicas at 300 / 3
    assert table.runtime == {"checkout": 300.0}  # idle capacity is no workload


def test_refresh_reads_the_configured_window_and_aggregate() -> None:
    seen: list[httpx.Request] = []
    settings = Settings.model_validate({"cost": {"runtime": "costs"}})
    table = PriceTable(settings.cost)
    assert asyncio.run(runtime_prices.refresh(table, opencost(seen), settings)) == 1
    assert table.runtime == {"checkout": MONTHLY}
    params = seen[0].url.params
    assert (params["window"], params["aggregate"]) == ("24h", "deployment")


def test_runtime_must_name_an_opencost_connector() -> None:
    assert runtime_prices.source_of(Settings()) is None
    wrong = Settings.model_validate({
        "cost": {"runtime": "prom"},
        "connectors": [{"name": "prom", "kind": "prometheus", "url": "http://p:9090"}],
    })  # fmt: skip
    with pytest.raises(ConfigError, match="not a connector of kind opencost"):
        runtime_prices.source_of(wrong)


def test_a_scale_out_approval_shows_what_the_running_service_costs(tmp_path: Path) -> None:
    spike = bundled_scenario("checkout-traffic-spike")
    connectors = [
        {"name": "scenario", "kind": "replay", "scenario": str(spike)},
        {"name": "costs", "kind": "opencost", "url": "http://opencost:9003"},
    ]
    settings = settings_for(
        tmp_path, spike, connectors=connectors, policy={"autonomy": "suggest"},
        cost={"replicas": {"checkout": 137.33}, "runtime": "costs"},
    )  # fmt: skip
    app = Nightowl(settings)
    assert app.background.runtime_costs is not None  # the serving process re-reads it
    seen: list[httpx.Request] = []
    asyncio.run(runtime_prices.refresh(pricing(app), opencost(seen), settings))  # one tick
    app.launch()
    shown: dict[str, Any] = {}

    async def deny(client: httpx.AsyncClient, incident_id: str) -> None:
        shown.update(await pending_request(client, incident_id))
        answer = {"reason": "not now"}
        await client.post(
            f"/api/v1/approvals/{shown['id']}/deny", json=answer, headers=auth("alice")
        )

    try:
        page(app, deny, alertmanager_payload(load_scenario(spike)))
    finally:
        app.shutdown()
    # the scenario runs 3 checkout replicas and the runbook doubles them: 3 × (MONTHLY / 3)
    assert shown["monthly_cost_delta"] == pytest.approx(MONTHLY, abs=0.01)
    assert shown["plan"].endswith(f"(+${MONTHLY:,.0f}/month)")
