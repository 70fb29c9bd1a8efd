"""The OpenCost connector against the allocation API's documented answer
(https://www.opencost.io/docs/integrations/api; httpx.MockTransport: no OpenCost server can run
here without a cluster and Prometheus behind it)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from nightowl.connectors.opencost import OpenCost, OpenCostConfig
from nightowl.errors import ConnectorError

WEEK = {"start": "2026-11-26T00:00:00Z", "end": "2026-12-03T00:00:00Z"}
ANSWER = {
    "code": 200,
    "status": "success",
    "data": [
        {
            "checkout": {"name": "checkout", "window": WEEK, "cpuCost": 20.5, "ramCost": 8.1,
                         "pvCost": 0.0, "totalCost": 30.0, "properties": {"namespace": "checkout"}},
            "__idle__": {"name": "__idle__", "window": WEEK, "cpuCost": 40.0, "ramCost": 10.0,
                         "totalCost": 50.0},
        }
    ],
}  # fmt: skip


def source(answer: object, status: int = 200) -> tuple[OpenCost, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=answer)

    config = OpenCostConfig(url="http://opencost:9003")
    return OpenCost("costs", config, transport=httpx.MockTransport(handler)), seen


def test_allocations_are_read_most_expensive_first_and_scaled_to_a_month() -> None:
    costs, seen = source(ANSWER)
    idle, checkout = asyncio.run(costs.allocations())
    assert (idle.name, checkout.name) == ("__idle__", "checkout")
    assert checkout.monthly == round(30.0 * 730 / 168, 2)
    assert (checkout.cpu, checkout.ram) == (20.5, 8.1)
    params = seen[0].url.params
    assert (seen[0].url.path, params["window"], params["aggregate"], params["accumulate"]) == (
        "/allocation/compute", "7d", "namespace", "true",
    )  # fmt: skip


def test_an_answer_without_data_is_a_clear_connector_error() -> None:
    costs, _ = source({"code": 200})
    with pytest.raises(ConnectorError, match="no data list"):
        asyncio.run(costs.allocations())
