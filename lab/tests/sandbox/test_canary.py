"""Canary analysis in the live sandbox: checkout v2 is deployed for real and recorded with the
deploys API, as CI would; the durable analysis fails it on the real Prometheus's metrics before
Alertmanager's alert fires, and the incident its page opens is diagnosed as the deploy and rolled
back through the policy. Slow: one sandbox, one fault."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from nightowl_lab.sandbox import lifecycle, procs
from nightowl_lab.sandbox.lifecycle import SandboxState
from nightowl_lab.sandbox.run import run
from nightowl_lab.sandbox.shop import Shop

pytestmark = [pytest.mark.slow, pytest.mark.serial]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxState]:
    if not shutil.which("prometheus"):
        pytest.skip("prometheus is not installed (apt-get install prometheus)")
    state_file = tmp_path_factory.mktemp("sandbox") / "state.json"
    state = lifecycle.up(state_file)
    pids = list(state.pids.values())
    try:
        lifecycle.wait_healthy(state)
        yield state
    finally:
        replicas = [r.pid for s in Shop(state.directory).services().values() for r in s.replicas]
        lifecycle.down(state_file)
        assert not [pid for pid in [*pids, *replicas] if procs.alive(pid)]
        assert not Path(state.directory).exists()


def test_the_bad_deploy_is_flagged_by_canary_analysis_before_the_alert(
    sandbox: SandboxState,
) -> None:
    result = run(sandbox, "bad-deploy", quiet=40.0, timeout=150.0)

    assert result.seconds_to_canary is not None, result  # the canary's page is on the incident
    assert result.seconds_to_detect is not None, result
    assert result.seconds_to_canary < result.seconds_to_detect, result
    assert result.diagnosis == result.expected, result
    assert [a.kind for a in result.actions] == ["rollback"], result
    assert result.actions[0].status == "succeeded", result
    assert result.recovered, result
