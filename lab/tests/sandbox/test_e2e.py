"""The whole live chain, for real: Prometheus → Alertmanager → webhook → workflow → action →
Prometheus shows recovery → report. One sandbox for the module, stopped by PID in teardown."""

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


@pytest.mark.parametrize(
    ("fault", "action"),
    [("bad-deploy", "rollback"), ("memory-leak", "restart"), ("traffic-spike", "scale_out")],
)
def test_fault_is_diagnosed_acted_on_and_recovered(
    sandbox: SandboxState, fault: str, action: str
) -> None:
    result = run(sandbox, fault, quiet=40.0, timeout=150.0)

    assert result.diagnosis == result.expected, result
    assert [a.kind for a in result.actions] == [action], result
    assert result.actions[0].status == "succeeded", result
    assert result.recovered, result
    assert result.seconds_to_detect is not None
    assert result.seconds_to_recover is not None
    # The target: alert → recovery within 60 s beyond the alert rule's own `for:`.
    assert result.seconds_to_recover - result.seconds_to_detect <= 60 + 10, result
