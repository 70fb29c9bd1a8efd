"""Recall: similar past incidents as a prior in the diagnosis, behind gates.

The memory store found the past incidents that look like this one (a structural match, then
full-text rank). ``recall`` says what they show ("seen 3 times since March; rollback fixed it 3
of 3; last time alice overruled the memory_leak diagnosis") and decides whether the cause they
point to may count as a prior. Four gates, each failing closed:

1. a cause: at least one past incident has a known cause (a human's correction wins over
   nightowl's own diagnosis, so a correction changes what is recalled next time);
2. a clear margin: that cause's share of the similar incidents beats the runner-up cause's share
   by ``memory.min_margin``;
3. a track record: at least ``memory.min_track_record`` of them had that cause proven (a verified
   recovery, or a human who confirmed or corrected it);
4. fresh evidence confirms it: this incident's own hypothesis for that cause is supported by
   evidence, not refuted, and leads the fresh ranking.

``apply`` then lets a recall that passed every gate settle a diagnosis the evidence alone left
just short of the threshold — the same cause the evidence already leans to, at the evidence's own
confidence (a recall never raises a confidence, so no runbook trigger and no policy rule sees a
number memory made). A recall the fresh evidence contradicts is dropped and the diagnosis says so;
it is never acted on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from nightowl.domain import Diagnosis, Hypothesis, HypothesisStatus, Recall, RootCause
from nightowl.domain.memory import Match, Verdict
from nightowl.settings import MemorySettings


def history(matches: Sequence[Match]) -> str:
    """The sentence a human reads: how often, what fixed it, who overruled what last time."""
    memories = sorted((m.memory for m in matches), key=lambda m: m.opened_at)
    first = memories[0].opened_at
    times = "once" if len(memories) == 1 else f"{len(memories)} times"
    parts = [f"seen {times} since {first:%B %Y} ({', '.join(m.incident_id for m in memories)})"]
    fixes = Counter(m.fix for m in memories if m.fix)
    if fixes:
        fix, n = fixes.most_common(1)[0]
        parts.append(f"{fix} fixed it {n} of {len(memories)}")
    last = memories[-1]
    correction = last.correction
    if correction is not None:
        parts.append(
            f"last time {correction.author} overruled the {last.diagnosed_kind or 'missing'} "
            f"diagnosis ({correction.kind} on {correction.service})"
        )
    rated = [f for f in last.feedback if f.verdict is Verdict.RATE and f.action]
    if rated:
        f = rated[-1]
        parts.append(f"{f.author} said {f.action} {'helped' if f.helped else 'did not help'}")
    return "; ".join(parts)


def recall(
    matches: Sequence[Match], hypotheses: Sequence[Hypothesis], settings: MemorySettings
) -> Recall | None:
    """What the similar past incidents show, and whether their cause passes the gates; None
    when there are none."""
    if not matches:
        return None
    said = history(matches)
    ids = tuple(m.memory.incident_id for m in matches)
    causes = Counter(m.memory.cause for m in matches if m.memory.cause is not None)
    if not causes:
        return Recall(text=said, incidents=ids, dropped="no past incident has a known cause")
    ranked = causes.most_common()
    (kind, service), n = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0
    base = Recall(text=said, incidents=ids, kind=kind, service=service)
    margin = (n - runner) / len(matches)
    if margin < settings.min_margin:
        return _drop(
            base,
            f"no clear margin: {kind} on {service} in {n} of {len(matches)}, the runner-up in "
            f"{runner} (needs a margin of {settings.min_margin:.0%})",
        )
    proven = sum(1 for m in matches if m.memory.cause == (kind, service) and m.memory.proven)
    if proven < settings.min_track_record:
        return _drop(
            base,
            f"track record too short: {proven} proven of {settings.min_track_record} needed",
        )
    fresh = _fresh(hypotheses, kind, service)
    if fresh is not None:
        return _drop(base, f"fresh evidence contradicts the recalled {kind} on {service}: {fresh}")
    return base.model_copy(update={"applied": True})


def apply(
    diagnosis: Diagnosis, memory: Recall | None, hypotheses: Sequence[Hypothesis]
) -> Diagnosis:
    """The diagnosis with the recall shown, and — when it passed every gate and the evidence
    alone reached no root cause — the recalled cause as the root cause, at the evidence's own
    confidence. A root cause the evidence already chose stands; a different one drops the
    recall."""
    if memory is None:
        return diagnosis
    rc = diagnosis.root_cause
    if memory.applied and rc is not None and (rc.kind, rc.service) != (memory.kind, memory.service):
        memory = _drop(memory, f"the evidence points to {rc.kind} on {rc.service}")
    if not memory.applied or rc is not None:
        return diagnosis.model_copy(update={"recall": memory})
    leader = next(
        (h for h in hypotheses if (h.kind, h.service) == (memory.kind, memory.service)), None
    )
    if leader is None:
        return diagnosis.model_copy(update={"recall": _drop(memory, "its hypothesis was tried")})
    why = (
        f"{leader.kind} on {leader.service} ({leader.confidence:.2f}): {leader.summary}; below "
        f"the threshold on its own, settled by memory: {memory.text}."
    )
    return diagnosis.model_copy(
        update={
            "root_cause": RootCause(
                kind=leader.kind,
                service=leader.service,
                deploy=leader.deploy,
                summary=leader.summary,
            ),
            "confidence": leader.confidence,
            "explanation": "\n".join([why, *diagnosis.explanation.splitlines()[1:]]),
            "recall": memory.model_copy(update={"settled": True}),
        }
    )


def carry(before: Diagnosis, after: Diagnosis) -> Diagnosis:
    """``after`` (the LLM's second opinion) with ``before``'s recall: still applied when it names
    the same root cause, dropped when the second opinion decided another."""
    memory = before.recall
    if memory is None or after.recall is not None:
        return after
    rc = after.root_cause
    if memory.applied and (rc is None or (rc.kind, rc.service) != (memory.kind, memory.service)):
        memory = _drop(memory, "the second opinion decided another cause")
    return after.model_copy(update={"recall": memory})


def _fresh(hypotheses: Sequence[Hypothesis], kind: str, service: str) -> str | None:
    """Why this incident's own evidence does not confirm the cause; None when it does."""
    ranked = sorted(hypotheses, key=lambda h: -h.confidence)
    mine = next((h for h in ranked if (h.kind, h.service) == (kind, service)), None)
    if mine is None:
        return "no hypothesis for it in this incident's evidence"
    if mine.status is HypothesisStatus.REFUTED or not mine.supporting:
        return f"its hypothesis is {mine.status.value} at {mine.confidence:.2f}"
    top = ranked[0]
    if top is not mine and top.confidence > mine.confidence:
        return (
            f"{top.kind} on {top.service} leads ({top.confidence:.2f} over {mine.confidence:.2f})"
        )
    return None


def _drop(memory: Recall, why: str) -> Recall:
    return memory.model_copy(update={"applied": False, "settled": False, "dropped": why})
