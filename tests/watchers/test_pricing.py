"""The price table: a plan's resources priced per documented Terraform attributes, and a
scale-out's cost shown in its approval request and in the report (a real incident: the traffic
spike replayed through the pipeline, the approval paged, the report written)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.app import Nightowl
from nightowl.domain.units import money
from nightowl.settings.cost import CostSettings
from nightowl.watchers.pricing import PriceTable
from nightowl.watchers.terraform import parse_plan
from tests.approvals.flow import auth, page, pending_request, settings_for

PRICES = CostSettings(
    instance_types={"m5.large": 0.096, "m5.xlarge": 0.192, "e2-standard-4": 0.134},
    volumes={"gp3": 0.08},
    load_balancers={"application": 0.0225},
    replicas={"checkout": 137.33},
)


def change(address: str, type_: str, actions: list[str], before: Any, after: Any) -> dict[str, Any]:
    name = address.split(".")[1]
    return {"address": address, "mode": "managed", "type": type_, "name": name,
            "change": {"actions": actions, "before": before, "after": after}}  # fmt: skip


def test_a_plans_changes_are_priced_per_resource_and_in_total() -> None:
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            change("aws_instance.web", "aws_instance", ["update"],
                   {"instance_type": "m5.large"}, {"instance_type": "m5.xlarge"}),
            change("aws_ebs_volume.data", "aws_ebs_volume", ["create"], None, {"type": "gp3", "size": 500}),
            change("aws_lb.front", "aws_lb", ["delete"], {"load_balancer_type": "application"}, None),
            change("aws_eks_node_group.apps", "aws_eks_node_group", ["update"],
                   {"instance_types": ["m5.large"], "scaling_config": [{"desired_size": 3}]},
                   {"instance_types": ["m5.large"], "scaling_config": [{"desired_size": 6}]}),
            change("aws_s3_bucket.logs", "aws_s3_bucket", ["create"], None, {"bucket": "logs"}),
            change("aws_instance.odd", "aws_instance", ["create"], None, {"instance_type": "z9.huge"}),
        ],
    }  # fmt: skip
    diff = PriceTable(PRICES).plan(parse_plan(json.dumps(plan), "cost"))
    deltas = {r.address: (r.delta, r.priced_by) for r in diff.resources}
    assert deltas == {
        "aws_instance.web": (70.08, "instance_types"),
        "aws_ebs_volume.data": (40.0, "volumes"),
        "aws_lb.front": (-16.43, "load_balancers"),
        "aws_eks_node_group.apps": (210.24, "node_pools"),
    }
    assert diff.total == 303.89
    assert diff.unpriced == ("aws_s3_bucket.logs", "aws_instance.odd")  # never guessed


def test_a_scale_out_from_3_to_6_shows_its_cost_in_the_approval_and_the_report(
    tmp_path: Path,
) -> None:
    spike = bundled_scenario("checkout-traffic-spike")
    settings = settings_for(
        tmp_path,
        spike,
        policy={"autonomy": "suggest"},
        cost={"replicas": {"checkout": 137.33}},
    )
    app = Nightowl(settings)
    app.launch()
    seen: dict[str, Any] = {}

    async def deny(client: httpx.AsyncClient, incident_id: str) -> None:
        seen.update(await pending_request(client, incident_id))
        answer = {"reason": "not now"}
        denied = await client.post(
            f"/api/v1/approvals/{seen['id']}/deny", json=answer, headers=auth("alice")
        )
        assert denied.status_code == 200, denied.text

    try:
        incident = page(app, deny, alertmanager_payload(load_scenario(spike)))
    finally:
        app.shutdown()
    assert seen["action"]["kind"] in ("scale", "scale_out")
    delta = seen["monthly_cost_delta"]
    assert delta == 411.99  # the scenario runs 3 checkout replicas; the runbook doubles them
    assert seen["plan"].endswith("(+$412/month)")
    assert incident.report_path is not None
    report = Path(incident.report_path).read_text()
    assert f"{money(delta)}/month" in report


def test_money_and_the_replica_price_fallback() -> None:
    assert money(411.99) == "+$412"
    table = PriceTable(CostSettings(replicas={"*": 10.0}))
    assert table.replica("anything") == 10.0
