"""The gate stage of a real nightowl (its store, its knowledge graph, its executor's dry runs):
the fan-in it hands the policy is the graph's, so a write on a service more than
``policy.blast_radius.max_dependents`` services depend on asks a human, and a leaf stays as the
other rules decide it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightowl.app import Nightowl
from nightowl.domain import ActionSpec, KillSwitch, Risk, StageName, Verdict
from nightowl.domain.graph import EdgeKind, Fact
from nightowl.graph.facts import service
from nightowl.policy.gate import evaluate
from nightowl.policy.stage import Gate
from tests.conftest import SettingsFactory

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CALLS = [("frontend", "checkout"), ("mobile", "checkout"), ("ads", "frontend")]
"""checkout's fan-in is 3 (two callers, one of them called by a third); frontend's is 1."""


@pytest.fixture
def app(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Nightowl]:
    policy = {"autonomy": "act", "blast_radius": {"max_dependents": 2}}
    built = Nightowl(settings_for(tmp_path, autonomy="act", policy=policy))
    facts = [
        Fact(kind=EdgeKind.DEPENDS_ON, subject=service(a), object=service(b), source="static",
             provenance="test topology", seen=NOW)
        for a, b in CALLS
    ]  # fmt: skip
    built.stores.graph.record(facts)
    try:
        yield built
    finally:
        built.shutdown()


def decide(app: Nightowl, target: str) -> tuple[int | None, Verdict, tuple[str, ...]]:
    gate = app.pipeline.stages[StageName.GATE]
    assert isinstance(gate, Gate)
    action = ActionSpec(kind="restart", service=target, runbook="restart", risk=Risk.LOW,
                        reason="test", rollback="none", idempotency_key=f"k-{target}")  # fmt: skip
    facts, _ = asyncio.run(gate.facts("inc-fan-in", action, KillSwitch()))
    decision = evaluate(facts, app.settings.policy, None)
    return facts.dependents, decision.verdict, decision.rules


def test_a_write_on_a_service_many_depend_on_asks_a_human(app: Nightowl) -> None:
    dependents, verdict, rules = decide(app, "checkout")
    assert dependents == 3
    assert verdict is Verdict.REQUIRE_APPROVAL
    assert "blast_radius.dependents" in rules


def test_a_service_few_depend_on_is_decided_by_the_other_rules(app: Nightowl) -> None:
    dependents, verdict, rules = decide(app, "frontend")
    assert dependents == 1
    assert "blast_radius.dependents" not in rules
    assert verdict is Verdict.ALLOW
