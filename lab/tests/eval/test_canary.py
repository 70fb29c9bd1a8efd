"""The canary benchmark on the bundled checkout-bad-deploy: the bad deploy (the one whose
rollback is the remedy) fails before the page, the red-herring inventory deploy passes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nightowl_lab.eval.canary import is_bad, run_benchmark
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.domain import Deploy
from nightowl.domain.canary import Verdict
from nightowl.settings import Settings


def test_the_bad_deploy_fails_before_the_alert_and_the_herring_passes(tmp_path: Path) -> None:
    path = bundled_scenario("checkout-bad-deploy")

    def settings_for(scenario: Path) -> Settings:
        connector = {"name": "scenario", "kind": "replay", "scenario": str(scenario)}
        return Settings.model_validate({"data_dir": str(tmp_path), "connectors": [connector]})

    result = asyncio.run(run_benchmark([path], settings_for))
    by_service = {c.service: c for c in result.cases}
    assert set(by_service) == {"inventory", "checkout"}
    bad, herring = by_service["checkout"], by_service["inventory"]
    assert (bad.bad, herring.bad) == (True, False)
    assert bad.verdict is Verdict.FAIL
    assert bad.seconds_to_alert == 660  # 02:51 → 03:02
    assert bad.seconds_to_verdict < bad.seconds_to_alert
    assert herring.verdict is Verdict.PASS
    assert (result.detected, result.false_alarms, result.before_alert) == (1.0, 0.0, 1.0)


def test_only_the_deploy_whose_rollback_is_the_remedy_is_bad() -> None:
    bad_deploy = load_scenario(bundled_scenario("checkout-bad-deploy"))
    spike = load_scenario(bundled_scenario("checkout-traffic-spike"))  # remedy: scale out
    at = bad_deploy.start

    def deploy(service: str) -> Deploy:
        return Deploy(service=service, version="v2", at=at, source="replay")

    assert is_bad(bad_deploy, deploy("checkout"))
    assert not is_bad(bad_deploy, deploy("inventory"))
    assert not is_bad(spike, deploy("checkout"))
