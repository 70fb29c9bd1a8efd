"""Hypotheses against the bundled scenarios' replayed worlds, and the rules' refutations.

The observations are gathered exactly as the workflow gathers them (the replay connectors over a
simulated cluster, at the moment of the page), then analysed, hypothesised and diagnosed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nightowl_lab.sim.replay import Replay, ReplayConfig
from nightowl_lab.sim.scenario import Truth, bundled_scenario

from nightowl.analysis.diagnose import diagnose
from nightowl.analysis.evidence import analyze
from nightowl.analysis.hypotheses import hypothesise
from nightowl.clock import ScenarioClock
from nightowl.connectors.gather import Gather
from nightowl.connectors.sources import Sources
from nightowl.domain import (
    Change,
    Diagnosis,
    Evidence,
    EvidenceKind,
    FaultKind,
    Hypothesis,
    HypothesisStatus,
    Observations,
    Shift,
)
from nightowl.domain.evidence import Growth
from nightowl.settings import AnalysisSettings, Settings

SCENARIOS = ["checkout-bad-deploy", "payments-memory-leak", "checkout-traffic-spike"]
ANALYSIS = AnalysisSettings()


@dataclass(frozen=True)
class Case:
    truth: Truth
    observations: Observations
    evidence: list[Evidence]
    hypotheses: list[Hypothesis]
    diagnosis: Diagnosis

    def evidence_ids(self) -> set[str]:
        return {e.id for e in self.evidence}

    def hypothesis(self, kind: str) -> Hypothesis:
        found = [h for h in self.hypotheses if h.kind == kind and h.service == self.truth.service]
        assert len(found) == 1, f"expected one {kind} hypothesis, got {self.hypotheses}"
        return found[0]


def build_case(name: str, data_dir: Path) -> Case:
    replay = Replay.from_config("scenario", ReplayConfig(scenario=bundled_scenario(name)), data_dir)
    truth = replay.scenario.truth
    assert truth is not None
    settings = Settings(data_dir=data_dir)
    clock = ScenarioClock(replay.scenario.page_time)
    gather = Gather(Sources.of([replay]), settings.gather, clock)
    observations = asyncio.run(gather.gather(truth.service))
    evidence = analyze(observations)
    hypotheses = hypothesise(evidence, ANALYSIS, truth.service)
    return Case(
        truth=truth,
        observations=observations,
        evidence=evidence,
        hypotheses=hypotheses,
        diagnosis=diagnose(hypotheses, ANALYSIS.min_confidence, clock.now()),
    )


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Case]:
    """Each scenario's case, built once per module on first use."""
    built: dict[str, Case] = {}

    def get(name: str) -> Case:
        if name not in built:
            built[name] = build_case(name, tmp_path_factory.mktemp(name))
        return built[name]

    return get


@pytest.fixture(params=SCENARIOS)
def case(request: pytest.FixtureRequest, cases: Callable[[str], Case]) -> Case:
    return cases(request.param)


def test_gather_reads_every_source_of_the_neighbourhood(case: Case) -> None:
    obs = case.observations
    assert obs.service == case.truth.service
    assert case.truth.service in obs.services
    assert set(obs.signals) == set(obs.services)
    assert obs.unavailable == ()
    assert obs.end - obs.start == timedelta(minutes=60)


def test_the_winner_is_the_ground_truth(case: Case) -> None:
    winner = case.hypotheses[0]

    assert (winner.kind, winner.service) == (case.truth.kind, case.truth.service)
    assert winner.status is HypothesisStatus.SUPPORTED
    assert case.diagnosis.root_cause is not None
    assert (case.diagnosis.root_cause.kind, case.diagnosis.root_cause.service) == (
        case.truth.kind,
        case.truth.service,
    )
    assert case.diagnosis.confidence == winner.confidence


def test_the_winner_cites_evidence_that_exists(case: Case) -> None:
    winner = case.hypotheses[0]

    assert winner.supporting
    assert set(winner.supporting) <= case.evidence_ids()
    assert winner.refuting == ()


def test_runners_up_lose_with_their_reasons(case: Case) -> None:
    winner, runners_up = case.hypotheses[0], case.hypotheses[1:]

    assert runners_up, "a diagnosis should say what else it considered"
    explanation = case.diagnosis.explanation.splitlines()
    for loser in runners_up:
        assert loser.confidence < winner.confidence
        assert loser.status is not HypothesisStatus.SUPPORTED
        assert set(loser.refuting) <= case.evidence_ids()
        assert loser.refuting or not loser.supporting, f"{loser} lost without a refutation"
        line = f"Not {loser.kind} on {loser.service} ({loser.confidence:.2f}"
        assert any(ln.startswith(line) and loser.summary in ln for ln in explanation), line


@pytest.mark.parametrize("name", ["checkout-bad-deploy", "payments-memory-leak"])
def test_a_load_explanation_is_refuted_by_symptoms_without_load(
    cases: Callable[[str], Case], name: str
) -> None:
    case = cases(name)
    spike = case.hypothesis(FaultKind.TRAFFIC_SPIKE)

    assert spike.status is HypothesisStatus.REFUTED
    assert f"{case.truth.service} request rate did not rise" in spike.summary
    assert f"change:{case.truth.service}:latency_p99" in spike.refuting


def test_memory_growth_after_a_deploy_is_blamed_on_the_deploy(
    cases: Callable[[str], Case],
) -> None:
    case = cases("checkout-bad-deploy")
    leak = case.hypothesis(FaultKind.MEMORY_LEAK)
    deploy = case.diagnosis.root_cause.deploy if case.diagnosis.root_cause else None

    assert deploy == "v2.4.1"
    assert leak.refuting == (f"deploy:checkout:{deploy}",)
    assert "a rollback fixes it and a restart only postpones it" in leak.summary
    assert "growth:checkout:memory" in case.hypotheses[0].supporting


def test_a_leak_older_than_the_window_grows_from_the_window_start(
    cases: Callable[[str], Case],
) -> None:
    case = cases("payments-memory-leak")  # leaking since 01:00; the window opens at 02:05
    [growth] = [e for e in case.evidence if e.kind is EvidenceKind.MONOTONIC_GROWTH]

    assert growth.service == case.truth.service
    assert growth.onset is not None
    assert growth.onset - case.observations.start < timedelta(minutes=2)


def test_no_growth_is_a_refuted_leak(cases: Callable[[str], Case]) -> None:
    case = cases("checkout-traffic-spike")
    leak = case.hypothesis(FaultKind.MEMORY_LEAK)

    assert leak.status is HypothesisStatus.REFUTED
    assert "shows no steady climb" in leak.summary


# The rules on hand-made evidence -------------------------------------------------------------

DEPLOY_AT = datetime(2026, 11, 20, 2, 51, tzinfo=UTC)


def deploy(service: str = "checkout", at: datetime = DEPLOY_AT) -> Evidence:
    return Evidence(
        id=f"deploy:{service}:v2",
        kind=EvidenceKind.DEPLOY,
        service=service,
        summary="deployed",
        source="test",
        query="deploys",
        onset=at,
        data={"version": "v2", "previous_version": "v1"},
    )


def rise(signal: str, at: datetime, magnitude: float = 5.0, service: str = "checkout") -> Evidence:
    return Evidence(
        id=f"change:{service}:{signal}",
        kind=EvidenceKind.METRIC_CHANGE,
        service=service,
        signal=signal,
        summary=f"{signal} rose",
        source="test",
        query=signal,
        onset=at,
        magnitude=magnitude,
        data={"direction": 1, "baseline": 1.0, "level": magnitude},
    )


def test_symptoms_after_a_deploy_support_it() -> None:
    evidence = [deploy(), rise("latency_p99", DEPLOY_AT + timedelta(minutes=4))]

    [bad] = [h for h in hypothesise(evidence, ANALYSIS, "checkout") if h.kind == "bad_deploy"]

    assert bad.status is HypothesisStatus.SUPPORTED
    assert bad.supporting == ("deploy:checkout:v2", "change:checkout:latency_p99")
    assert bad.deploy == "v2"


def test_symptoms_that_began_before_the_deploy_refute_it() -> None:
    evidence = [
        deploy(),
        rise("error_rate", DEPLOY_AT - timedelta(minutes=10)),
        rise("latency_p99", DEPLOY_AT + timedelta(minutes=3)),
    ]

    [bad] = [h for h in hypothesise(evidence, ANALYSIS, "checkout") if h.kind == "bad_deploy"]

    assert bad.status is not HypothesisStatus.SUPPORTED
    assert bad.refuting == ("change:checkout:error_rate",)


def test_a_traffic_surge_at_the_deploy_explains_the_symptoms_better() -> None:
    evidence = [
        deploy(),
        rise("request_rate", DEPLOY_AT + timedelta(minutes=1), magnitude=3.0),
        rise("latency_p99", DEPLOY_AT + timedelta(minutes=3)),
    ]

    ranked = hypothesise(evidence, ANALYSIS, "checkout")

    assert (ranked[0].kind, ranked[0].service) == ("traffic_spike", "checkout")
    [bad] = [h for h in ranked if h.kind == "bad_deploy"]
    assert "change:checkout:request_rate" in bad.refuting


def test_without_evidence_there_is_no_root_cause() -> None:
    ranked = hypothesise([], ANALYSIS, "checkout")

    diagnosis = diagnose(ranked, ANALYSIS.min_confidence, DEPLOY_AT)

    assert diagnosis.root_cause is None
    assert all(h.status is HypothesisStatus.REFUTED for h in ranked)
    assert "a human should look" in diagnosis.explanation


def test_a_slow_leak_that_came_with_an_old_deploy_is_a_leak_to_roll_back() -> None:
    """The climb began with a deploy 100 minutes before the symptoms: too late for the deploy's
    own window, so the leak stands, carrying the deploy its rollback undoes."""
    t = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    evidence = [
        Evidence(
            id="deploy:search:v2",
            kind=EvidenceKind.DEPLOY,
            service="search",
            summary="search v1 → v2",
            source="d",
            query="q",
            onset=t,
            detail=Change(version="v2", previous_version="v1"),
        ),
        Evidence(
            id="growth:search:memory",
            kind=EvidenceKind.MONOTONIC_GROWTH,
            service="search",
            signal="memory",
            summary="climb",
            source="m",
            query="q",
            onset=t + timedelta(minutes=6),
            magnitude=2.5,
            detail=Growth(rho=0.99, growth=1.5),
        ),
        Evidence(
            id="change:search:latency_p99",
            kind=EvidenceKind.METRIC_CHANGE,
            service="search",
            signal="latency_p99",
            summary="rose",
            source="m",
            query="q",
            onset=t + timedelta(minutes=100),
            magnitude=4.0,
            detail=Shift(baseline=0.2, level=0.8, direction=1),
        ),
    ]
    found = hypothesise(evidence, AnalysisSettings(), "search")
    leak = next(h for h in found if h.kind == FaultKind.MEMORY_LEAK.value)
    assert found[0] == leak
    assert leak.status is HypothesisStatus.SUPPORTED
    assert leak.deploy == "v2"
    assert "deploy:search:v2" in leak.supporting


def _checkout_deploy(evidence_id: str, at: datetime, version: str = "v2") -> Evidence:
    return Evidence(
        id=evidence_id,
        kind=EvidenceKind.DEPLOY,
        service="checkout",
        summary=f"checkout v1 → {version}",
        source="api",
        query="q",
        onset=at,
        detail=Change(version=version, previous_version="v1"),
    )


def _checkout_errors(onset: datetime) -> Evidence:
    return Evidence(
        id="change:checkout:error_rate",
        kind=EvidenceKind.METRIC_CHANGE,
        service="checkout",
        signal="error_rate",
        summary="rose",
        source="m",
        query="q",
        onset=onset,
        magnitude=30.0,
        detail=Shift(baseline=0.001, level=0.3, direction=1),
    )


@pytest.mark.parametrize("rise", [4.0, -0.3], ids=["after-it", "just-before-it-was-recorded"])
def test_a_version_deployed_again_after_its_rollback_is_suspected_once_as_the_latest(
    rise: float,
) -> None:
    """Issue 23: checkout v2 was rolled back twice and deployed again each time (87 s apart, as
    the sandbox's runs do); errors rose with the third deploy — in the sandbox once 0.3 s before
    it was recorded, since the pipeline records a deploy after the new version took traffic. The
    earlier deploys were replaced by then: one suspect, the latest."""
    first = datetime(2026, 12, 4, 2, 57, 11, tzinfo=UTC)
    latest = first + timedelta(seconds=174)
    evidence = [
        _checkout_deploy("deploy:checkout:v2@20261204T025711Z", first),
        _checkout_deploy("deploy:checkout:v2@20261204T025837Z", first + timedelta(seconds=87)),
        _checkout_deploy("deploy:checkout:v2", latest),
        _checkout_errors(latest + timedelta(seconds=rise)),
    ]

    found = hypothesise(evidence, AnalysisSettings(), "checkout")

    bad = [h for h in found if h.kind == FaultKind.BAD_DEPLOY.value]
    assert [h.supporting[0] for h in bad] == ["deploy:checkout:v2"]
    assert found[0] == bad[0]
    assert bad[0].status is HypothesisStatus.SUPPORTED


def test_a_deploy_on_top_of_one_already_failing_leaves_the_first_a_suspect() -> None:
    """Errors rose 5 minutes before the next deploy of the service: that deploy came too late to
    explain them, so the earlier deploy stays a suspect (and the later one is refuted by them)."""
    at = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    evidence = [
        _checkout_deploy("deploy:checkout:v2", at),
        _checkout_deploy("deploy:checkout:v3", at + timedelta(minutes=6), version="v3"),
        _checkout_errors(at + timedelta(minutes=1)),
    ]

    found = hypothesise(evidence, AnalysisSettings(), "checkout")

    assert found[0].kind == FaultKind.BAD_DEPLOY.value
    assert found[0].deploy == "v2"
    later = next(h for h in found if h.kind == FaultKind.BAD_DEPLOY.value and h.deploy == "v3")
    assert "change:checkout:error_rate" in later.refuting
