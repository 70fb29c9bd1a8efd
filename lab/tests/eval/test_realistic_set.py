"""The hand-written realistic set is well formed: each file says what it models and how it is
solved, its truth is consistent with its own faults, and the format's extensions it relies on
(hosts, windowed background logs, {ts}/{ip} placeholders, partial pod effects) behave."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from nightowl_lab.sim.cluster import SimulatedCluster
from nightowl_lab.sim.replay import Replay
from nightowl_lab.sim.scenario import Scenario, load_scenario
from nightowl_lab.sim.workload import Workloads
from nightowl_lab.sim.world import World

from nightowl.domain.diagnosis import FaultKind

REALISTIC = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "realistic"
FILES = sorted(REALISTIC.glob("*.yaml"))
ACTION_KINDS = {"rollback", "restart", "scale_out", "delete_pod", "ssh", "webhook", "pull_request"}


def test_the_set_has_at_least_24_scenarios_with_unique_names() -> None:
    names = [load_scenario(p).name for p in FILES]
    assert len(names) >= 24
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_opens_with_its_class_and_how_to_solve_it(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("\nname:")[0]
    assert header.startswith("# Class:")
    for part in ("Modelled on:", "How an SRE solves it:", "Red herrings:", "Forbidden:"):
        assert part in header, f"{path.name}: the comment block lacks {part!r}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_truth_is_a_fault_of_the_scenario_that_its_remedy_ends(path: Path) -> None:
    s = load_scenario(path)
    truth = s.truth
    assert truth is not None
    assert 5 <= len(s.services) <= 12
    assert truth.kind in {k.value for k in FaultKind}
    (fault,) = [f for f in s.faults if f.service == truth.service and f.kind == truth.kind]
    assert truth.remediation in {r.kind for r in fault.resolved_by}
    assert truth.remediation not in truth.forbidden_actions
    assert set(truth.forbidden_actions) <= ACTION_KINDS
    assert fault.start < s.page_time < s.end
    # Red herrings: every scenario pages on more than one alert, and the page is not only about
    # the faulty service.
    assert len(s.alerts) >= 2
    assert {a.labels.get("service") for a in s.alerts} != {truth.service}


def test_the_set_puts_the_root_cause_away_from_the_alert_and_innocent_deploys_on_callers() -> None:
    scenarios = [load_scenario(p) for p in FILES]
    unalerted = [
        s for s in scenarios if _truth(s) not in {a.labels.get("service") for a in s.alerts}
    ]
    on_callers = [
        s
        for s in scenarios
        if any(_calls(s, d.service, _truth(s)) for d in s.deploys if d.service != _truth(s))
    ]
    assert len(unalerted) >= len(scenarios) // 3
    assert len(on_callers) >= 6


def test_background_logs_with_a_window_write_only_inside_it(tmp_path: Path) -> None:
    s = load_scenario(REALISTIC / "13-disk-full-debug-logs.yaml")
    world = World(s, SimulatedCluster(s, tmp_path / "state.json"))
    window = next(bg for bg in s.logs if bg.start is not None)
    assert window.end is not None
    debug = [r for r in world.logs(s.start, s.end) if r.message.startswith("DEBUG worker.consumer")]
    assert debug
    assert window.start <= min(r.timestamp for r in debug)
    assert max(r.timestamp for r in debug) <= window.end


def test_placeholders_fill_the_line_time_and_an_address(tmp_path: Path) -> None:
    s = load_scenario(REALISTIC / "02-cert-expired-internal-mtls.yaml")
    world = World(s, SimulatedCluster(s, tmp_path / "state.json"))
    lines = world.logs(s.page_time - timedelta(minutes=2), s.page_time)
    handshake = next(r for r in lines if "TLS handshake error" in r.message)
    assert handshake.message.startswith("http: TLS handshake error from 10.")
    java = next(r for r in lines if "SSLHandshakeException" in r.message)
    assert java.message.startswith(java.timestamp.isoformat(timespec="milliseconds")[:19])


def test_a_pod_effect_hits_only_the_pods_it_names(tmp_path: Path) -> None:
    s = load_scenario(REALISTIC / "16-crashloop-missing-secret.yaml")
    pods = Workloads(s, SimulatedCluster(s, tmp_path / "state.json")).pods("payments", s.page_time)
    waiting = [p for p in pods if p.containers[0].reason == "CreateContainerConfigError"]
    assert (len(pods), len(waiting)) == (6, 4)


def test_the_replay_serves_the_names_each_service_is_reached_by(tmp_path: Path) -> None:
    s = load_scenario(REALISTIC / "07-pool-drained-by-slow-vendor.yaml")
    replay = Replay("scenario", s, SimulatedCluster(s, tmp_path / "state.json"))
    hosts = asyncio.run(replay.endpoints())
    assert "api.carrier.example" in hosts["carrier-api"]
    assert hosts["web"] == []


def _truth(s: Scenario) -> str:
    assert s.truth is not None
    return s.truth.service


def _calls(s: Scenario, caller: str, callee: str, seen: frozenset[str] = frozenset()) -> bool:
    """Whether ``caller`` reaches ``callee`` through the call graph."""
    direct = s.services[caller].calls
    return callee in direct or any(
        _calls(s, c, callee, seen | {caller}) for c in direct if c not in seen
    )
