"""Pushed deploys: stored once per (service, version, time), the previous version filled in from
the service's history, read back by window and service, and served as a DeploySource."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from nightowl.domain import Deploy
from nightowl.settings import PluginConfig, Settings
from nightowl.store.deploys import DeployLog, RecordedDeploys
from tests.store.samples import T0


@pytest.fixture
def log(database_url: str) -> Iterator[DeployLog]:
    opened = DeployLog.open(database_url)
    yield opened
    opened.close()


def deploy(version: str, minutes: int, service: str = "checkout", **extra: str) -> Deploy:
    return Deploy(
        service=service, version=version, at=T0 + timedelta(minutes=minutes), source="ci", **extra
    )


def test_a_deploy_is_stored_once_and_a_repush_says_so(log: DeployLog) -> None:
    first = log.record(deploy("v1", 0, author="ana"))
    again = log.record(deploy("v1", 0, author="ana"))
    assert (first.created, again.created) == (True, False)
    assert again.id == first.id
    assert log.count() == 1


def test_the_previous_version_comes_from_the_services_last_earlier_deploy(log: DeployLog) -> None:
    log.record(deploy("v1", 0))
    log.record(deploy("p7", 5, service="payments"))
    second = log.record(deploy("v2", 10))
    given = log.record(deploy("v3", 20, previous_version="v1"))
    out_of_order = log.record(deploy("v0", -10))
    assert second.deploy.previous_version == "v1"  # not payments' p7
    assert given.deploy.previous_version == "v1"  # a given one is kept
    assert out_of_order.deploy.previous_version is None  # nothing before it


def test_list_reads_a_window_oldest_first_for_one_or_every_service(log: DeployLog) -> None:
    pushed = [("v2", 10, "checkout"), ("p1", 5, "payments"), ("v1", 0, "checkout")]
    for version, minutes, service in [*pushed, ("v9", 90, "checkout")]:
        log.record(deploy(version, minutes, service=service))
    window = (T0, T0 + timedelta(minutes=10))  # both ends included
    assert [d.version for d in log.list("checkout", *window)] == ["v1", "v2"]
    assert [d.version for d in log.list(None, *window)] == ["v1", "p1", "v2"]
    assert [d.version for d in log.list(None, *window, limit=2)] == ["v1", "p1"]
    assert log.list("frontend", *window) == []


def test_recorded_deploys_serve_the_log_as_a_deploy_source(log: DeployLog) -> None:
    log.record(deploy("v1", 0, commit="abc123", summary="faster checkout"))
    source = RecordedDeploys("recorded", log)
    asyncio.run(source.check())
    (found,) = asyncio.run(source.deploys("checkout", T0 - timedelta(hours=1), T0))
    assert (found.version, found.commit, found.summary, found.source) == (
        "v1",
        "abc123",
        "faster checkout",
        "ci",
    )


def test_from_plugin_opens_the_settings_store(database_url: str) -> None:
    settings = Settings.model_validate({"store": {"url": database_url}})
    source = RecordedDeploys.from_plugin(PluginConfig(name="pushed", kind="recorded"), settings)
    try:
        assert source.name == "pushed"
        asyncio.run(source.check())
    finally:
        source.log.close()
