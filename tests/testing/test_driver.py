"""The kit's FakeDriver passes the action-driver contract it gives plugin authors."""

from __future__ import annotations

import asyncio

import pytest

from nightowl.domain import ActionSpec, Risk
from nightowl.testing.contracts import ActionDriverContract, DriverCase
from nightowl.testing.driver import FakeDriver, FakeService


def rollback(key: str = "key-1") -> ActionSpec:
    return ActionSpec(
        kind="rollback", service="checkout", params={}, runbook="test", risk=Risk.LOW,
        reason="test", rollback="test", idempotency_key=key,
    )  # fmt: skip


class TestFakeDriver(ActionDriverContract):
    @pytest.fixture
    def driver(self) -> FakeDriver:
        return FakeDriver({"checkout": FakeService(version="v2", previous_version="v1")})

    @pytest.fixture
    def driver_case(self, driver: FakeDriver) -> DriverCase:
        return DriverCase(action=rollback(), state=lambda: driver.world["checkout"].version)

    def test_a_new_key_acts_again(self, driver: FakeDriver) -> None:
        asyncio.run(driver.apply(rollback("a"), dry_run=False))
        asyncio.run(driver.apply(rollback("b"), dry_run=False))
        assert [a.idempotency_key for a in driver.applied] == ["a", "b"]
        assert driver.world["checkout"].version == "v2"
