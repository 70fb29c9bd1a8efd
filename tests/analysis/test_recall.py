"""Recall as a prior: the history shown, and the four gates (a cause, a margin, a track record,
fresh evidence) that each fail closed; a recall never raises a confidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.analysis.diagnose import diagnose
from nightowl.analysis.recall import apply, carry, history, recall
from nightowl.domain import Hypothesis, HypothesisStatus
from nightowl.domain.memory import Feedback, Match, Memory, PastAction, Signature, Verdict
from nightowl.settings import MemorySettings

T0 = datetime(2030, 3, 1, 3, 0, tzinfo=UTC)
SETTINGS = MemorySettings()


def past(
    n: int,
    kind: str = "bad_deploy",
    *,
    recovered: bool | None = True,
    feedback: tuple[Feedback, ...] = (),
) -> Match:
    memory = Memory(
        incident_id=f"inc-{n}",
        title="HighErrorRate on checkout",
        opened_at=T0 + timedelta(days=n),
        signature=Signature(alertnames=("HighErrorRate",), services=("checkout",)),
        diagnosed_kind=kind,
        diagnosed_service="checkout",
        actions=(
            PastAction(kind="rollback", service="checkout", status="succeeded", dry_run=False),
        ),
        recovered=recovered,
        feedback=feedback,
    )
    return Match(memory=memory, score=1.0)


def hypothesis(kind: str, confidence: float, supporting: tuple[str, ...] = ("e1",)) -> Hypothesis:
    return Hypothesis(
        kind=kind,
        service="checkout",
        confidence=confidence,
        status=HypothesisStatus.of(confidence),
        summary=f"{kind} fits",
        supporting=supporting,
    )


def corrected(n: int, by: str, to: str) -> Feedback:
    return Feedback(
        incident_id=f"inc-{n}",
        author=by,
        at=T0 + timedelta(days=n, hours=1),
        verdict=Verdict.CORRECT,
        kind=to,
        service="checkout",
    )


def test_the_history_says_how_often_what_fixed_it_and_who_overruled_what() -> None:
    matches = [
        past(1),
        past(2),
        past(3, "memory_leak", feedback=(corrected(3, "alice", "bad_deploy"),)),
    ]
    assert history(matches) == (
        "seen 3 times since March 2030 (inc-1, inc-2, inc-3); rollback fixed it 3 of 3; "
        "last time alice overruled the memory_leak diagnosis (bad_deploy on checkout)"
    )


def test_a_recall_that_passes_every_gate_settles_a_diagnosis_just_short_of_the_threshold() -> None:
    fresh = [hypothesis("bad_deploy", 0.4), hypothesis("traffic_spike", 0.2)]
    alone = diagnose(fresh, 0.5, T0)
    assert alone.root_cause is None
    memory = recall([past(1), past(2)], fresh, SETTINGS)
    assert memory is not None
    assert memory.applied
    settled = apply(alone, memory, fresh)
    assert settled.root_cause is not None
    assert settled.root_cause.kind == "bad_deploy"
    assert settled.confidence == 0.4  # the evidence's own: memory never raises a confidence
    assert settled.recall == memory.model_copy(update={"settled": True})
    assert "settled by memory" in settled.explanation


def test_the_trap_same_alert_other_cause_is_dropped_and_said_so() -> None:
    fresh = [hypothesis("dependency_failure", 0.45), hypothesis("bad_deploy", 0.1, ())]
    memory = recall([past(1), past(2), past(3)], fresh, SETTINGS)
    assert memory is not None
    assert not memory.applied
    assert memory.dropped is not None
    assert "fresh evidence contradicts" in memory.dropped
    out = apply(diagnose(fresh, 0.5, T0), memory, fresh)
    assert out.root_cause is None
    assert out.recall is not None
    assert "Not used as a prior" in out.recall.line


def test_a_recall_without_a_fresh_hypothesis_or_led_by_another_is_dropped() -> None:
    matches = [past(1), past(2)]
    missing = recall(matches, [hypothesis("dependency_failure", 0.3)], SETTINGS)
    led = recall(
        matches, [hypothesis("dependency_failure", 0.45), hypothesis("bad_deploy", 0.3)], SETTINGS
    )
    assert missing is not None
    assert missing.dropped == (
        "fresh evidence contradicts the recalled bad_deploy on checkout: no hypothesis for it "
        "in this incident's evidence"
    )
    assert led is not None
    assert not led.applied
    assert "dependency_failure on checkout leads" in (led.dropped or "")


def test_without_a_clear_margin_or_a_track_record_memory_is_not_a_prior() -> None:
    fresh = [hypothesis("bad_deploy", 0.4)]
    split = recall([past(1), past(2), past(3, "memory_leak")], fresh, SETTINGS)
    unproven = recall([past(1, recovered=None), past(2, recovered=False)], fresh, SETTINGS)
    dry = [past(n) for n in (1, 2)]
    dry = [
        m.model_copy(update={"memory": m.memory.model_copy(update={"actions": ()})}) for m in dry
    ]
    by_itself = recall(dry, fresh, SETTINGS)  # recovered, but nothing nightowl did fixed it
    assert by_itself is not None
    assert (by_itself.dropped or "").startswith("track record too short")
    assert split is not None
    assert (split.dropped or "").startswith("no clear margin")
    assert unproven is not None
    assert (unproven.dropped or "").startswith("track record too short")
    assert recall([], fresh, SETTINGS) is None


def test_corrections_change_what_is_recalled() -> None:
    fresh = [hypothesis("connection_pool_exhaustion", 0.4), hypothesis("memory_leak", 0.3)]
    matches = [
        past(
            n,
            "memory_leak",
            recovered=False,
            feedback=(corrected(n, "alice", "connection_pool_exhaustion"),),
        )
        for n in (1, 2)
    ]
    memory = recall(matches, fresh, SETTINGS)
    assert memory is not None
    assert memory.applied
    assert memory.kind == "connection_pool_exhaustion"


def test_the_evidence_choosing_another_cause_drops_the_recall() -> None:
    fresh = [hypothesis("bad_deploy", 0.7), hypothesis("memory_leak", 0.3)]
    memory = recall([past(1, "bad_deploy"), past(2, "bad_deploy")], fresh, SETTINGS)
    assert memory is not None
    assert memory.applied
    chosen = diagnose(fresh, 0.5, T0)
    kept = apply(chosen, memory, fresh)
    assert kept.root_cause == chosen.root_cause
    assert kept.recall is not None
    assert kept.recall.applied
    other = diagnose([hypothesis("memory_leak", 0.8), *fresh], 0.5, T0)
    dropped = apply(other, memory, fresh)
    assert dropped.root_cause == other.root_cause
    assert dropped.recall is not None
    assert dropped.recall.dropped == ("the evidence points to memory_leak on checkout")


def test_the_recall_survives_a_second_opinion_and_is_dropped_when_it_decides_otherwise() -> None:
    fresh = [hypothesis("bad_deploy", 0.4)]
    memory = recall([past(1), past(2)], fresh, SETTINGS)
    settled = apply(diagnose(fresh, 0.5, T0), memory, fresh)
    llm = diagnose([hypothesis("dependency_failure", 0.9)], 0.5, T0)
    same = carry(settled, settled.model_copy(update={"recall": None, "explanation": "llm agreed"}))
    other = carry(settled, llm)
    assert same.recall == settled.recall
    assert other.recall is not None
    assert not other.recall.applied
    assert other.recall.dropped == "the second opinion decided another cause"
    assert carry(llm, settled) == settled
