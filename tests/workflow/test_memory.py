"""Memory through the real workflow: a recall settles a diagnosis the evidence left just short of
the threshold, and never lowers the policy's bar — the gate decides the planned actions exactly as
it does when the evidence alone reached the same diagnosis.

And a fault that comes back is recalled on both stores: the second bad deploy of checkout, a week
after the first, finds the first in incident memory (its history and verified fix shown on the
diagnosis and in the report, held back as a prior until the track record is long enough), and the
knowledge graph the pipeline kept holds both incidents — the same on SQLite and on a real
PostgreSQL (``postgres`` marker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.recur import recur, write
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.app import Nightowl
from nightowl.domain import Incident
from nightowl.domain.memory import Feedback, Memory, Signature, Verdict
from nightowl.graph.knowledge import Knowledge
from tests.approvals.flow import page, settings_for

LEAK = bundled_scenario("payments-memory-leak")
BEFORE = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def occurrence(tmp_path: Path, *, memory: bool, min_confidence: float) -> Incident:
    settings = settings_for(
        tmp_path,
        LEAK,
        policy={"autonomy": "suggest"},
        approvals={"approvers": {}},
        analysis={"min_confidence": min_confidence},
        memory={"enabled": memory},
    )
    app = Nightowl(settings)
    if memory:  # two past leaks a human diagnosed by hand
        for n in (1, 2):
            past = Memory(
                incident_id=f"past-{n}",
                title="payments slow",
                opened_at=BEFORE + timedelta(days=n),
                signature=Signature(
                    alertnames=("HighLatency",), services=("payments",), category="latency"
                ),
            )
            app.stores.memory.remember(past, BEFORE)
            app.stores.memory.add_feedback(
                Feedback(
                    incident_id=past.incident_id,
                    author="alice",
                    at=past.opened_at,
                    verdict=Verdict.CORRECT,
                    kind="memory_leak",
                    service="payments",
                )
            )
    app.launch()
    try:
        return page(app, payload=alertmanager_payload(load_scenario(LEAK)))
    finally:
        app.shutdown()


def test_a_recall_settles_the_diagnosis_and_the_gate_decides_as_without_memory(
    tmp_path: Path,
) -> None:
    alone = occurrence(tmp_path / "alone", memory=False, min_confidence=0.5)
    assert alone.diagnosis is not None
    # An operator whose bar sits just above what this evidence gives: alone, no root cause.
    bar = min(0.95, alone.diagnosis.confidence + 0.05)
    recalled = occurrence(tmp_path / "memory", memory=True, min_confidence=bar)
    unsure = occurrence(tmp_path / "unsure", memory=False, min_confidence=bar)

    d, e = recalled.diagnosis, alone.diagnosis
    assert d is not None
    assert d.root_cause is not None
    assert d.recall is not None
    assert e is not None
    assert e.root_cause is not None
    assert d.recall.applied
    assert "alice overruled" in d.recall.text
    assert (d.root_cause.kind, d.root_cause.service) == ("memory_leak", "payments")
    assert d.root_cause == e.root_cause
    assert d.confidence == e.confidence  # memory never raises a confidence
    assert unsure.diagnosis is not None
    assert unsure.diagnosis.root_cause is None
    # The same plan, and the gate's verdicts, reasons and rules unchanged by memory.
    assert [a.kind for a in recalled.plan] == [a.kind for a in alone.plan]
    assert recalled.plan
    decided = [(x.action_kind, x.verdict, x.reasons, x.rules) for x in recalled.decisions]
    assert decided == [(x.action_kind, x.verdict, x.reasons, x.rules) for x in alone.decisions]
    assert all(x.verdict.value != "allow" for x in recalled.decisions)  # suggest: a human decides
    assert not [a for a in recalled.actions if not a.dry_run]
    assert d.recall.line in (recalled.report.markdown if recalled.report else "")


def acting(data: Path, scenario: Path, url: str | None) -> tuple[Incident, Nightowl]:
    """Page once with ``scenario`` replayed into the store at ``url`` (None: SQLite in ``data``),
    acting: the rollback runs on the simulated cluster and is verified."""
    app = Nightowl(settings_for(data, scenario, store={"url": url}))
    app.launch()
    try:
        return page(app, payload=alertmanager_payload(load_scenario(scenario))), app
    finally:
        app.shutdown()


@pytest.mark.parametrize("backend", STORES)
def test_the_second_bad_deploy_recalls_the_first_and_the_graph_holds_both(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    first = load_scenario(bundled_scenario("checkout-bad-deploy"))
    files = [
        write(recur(first, f"deploy-{n}", timedelta(days=7 * n)), tmp_path / "scenarios")
        for n in (1, 2)
    ]
    before, _ = acting(tmp_path / "data", files[0], url)
    again, app = acting(tmp_path / "data", files[1], url)

    assert before.id != again.id
    assert before.status.value == "resolved"
    assert before.diagnosis is not None
    assert before.diagnosis.recall is None  # the first time, nothing to remember
    d = again.diagnosis
    assert d is not None
    assert d.recall is not None
    assert d.recall.incidents == (before.id,)
    assert "seen once" in d.recall.text
    assert "rollback fixed it 1 of 1" in d.recall.text  # the first one's verified outcome
    # One past fix is not a track record (memory.min_track_record: 2): shown, not used.
    assert not d.recall.applied
    assert "track record" in (d.recall.dropped or "")
    assert (d.recall.kind, d.recall.service) == ("bad_deploy", "checkout")
    assert d.root_cause is not None
    assert (d.root_cause.kind, d.root_cause.service) == ("bad_deploy", "checkout")
    assert d.recall.line in (again.report.markdown if again.report else "")
    # The graph the pipeline kept, read back from the same store.
    card = Knowledge(app.stores.graph, app.settings.graph).card("checkout", again.opened_at)
    assert {i.id for i in card.incidents} >= {before.id, again.id}
