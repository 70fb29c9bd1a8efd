"""The points table: each factor's points from its input, capped; the score is their sum (at most
100) and the recommendation follows from two fixed thresholds.

The table is docs/deploy-risk.md; a reviewer recomputes the score by adding the reasons' points.
The thresholds are design choices, not fitted: ``DELAY`` (60) is above what the change alone can
earn (size 20 + kinds 25 = 45), so only a risky change *in a risky moment* (history, now, freeze)
delays; ``CAUTION`` (30) is reached by a large risky change alone, or by one strong context factor
with a modest change.
"""

from __future__ import annotations

from collections.abc import Callable

from nightowl.deployrisk.change import kind_of
from nightowl.deployrisk.model import (
    Assessment,
    ChangeKind,
    Reason,
    Recommendation,
    RiskInputs,
)

CAUTION = 30
DELAY = 60
SIZE_STEPS = ((10, 0), (100, 5), (500, 10), (2000, 15))
"""(at most this many changed lines, points); more lines than the last step: ``SIZE_CAP``."""
SIZE_CAP = 20
KIND_POINTS = {
    ChangeKind.MIGRATION: 15,
    ChangeKind.CONFIG: 10,
    ChangeKind.DEPENDENCY: 8,
    ChangeKind.CODE: 5,
    ChangeKind.TEST: 0,
    ChangeKind.DOCS: 0,
}
KINDS_CAP = 25
TESTS_FAILING = 15
COVERAGE_STEPS = ((0.05, 10), (0.01, 5))
"""(a drop of at least this much line coverage, points), largest first."""
COVERAGE_CAP = 10
MIN_HISTORY = 3
"""Fewer recent deploys than this: the change-failure rate is not scored (too few to say)."""
FAILURE_CAP = 20
PER_RECENT_INCIDENT, RECENT_CAP = 3, 9
OPEN_INCIDENT = 15
PEAK_RATIO, PEAK_POINTS = 1.2, 10
"""Traffic at least 1.2× the median of its daily profile is peak (a busy hour, or a surge)."""
BUDGET_STEPS = ((1.0, 15), (0.8, 10), (0.5, 5))
BUDGET_CAP = 15
FREEZE = 40
BLAST_STEPS = ((0, 0), (2, 3), (5, 6))
BLAST_CAP = 10


def assess(inputs: RiskInputs) -> Assessment:
    """Score ``inputs``: every factor gives one reason, present or absent."""
    reasons = tuple(factor(inputs) for factor in FACTORS)
    score = min(100, sum(r.points for r in reasons))
    return Assessment(
        service=inputs.service,
        version=inputs.version,
        at=inputs.at,
        score=score,
        recommendation=recommend(score),
        thresholds={"caution": CAUTION, "delay": DELAY},
        reasons=reasons,
    )


def recommend(score: int) -> Recommendation:
    if score >= DELAY:
        return Recommendation.DELAY
    return Recommendation.CAUTION if score >= CAUTION else Recommendation.PROCEED


def _absent(inputs: RiskInputs, factor: str, cap: int, why: str) -> Reason:
    said = inputs.unavailable.get(factor, why)
    return Reason(factor=factor, points=0, cap=cap, summary=said, present=False)


def _step(value: float, steps: tuple[tuple[float, int], ...], cap: int) -> int:
    """The points of the first step whose bound ``value`` does not exceed; ``cap`` past them."""
    for bound, points in steps:
        if value <= bound:
            return points
    return cap


def change_size(inputs: RiskInputs) -> Reason:
    if inputs.change is None:
        return _absent(
            inputs, "change size", SIZE_CAP, "no diff given (--repo, or files in the request)"
        )
    files = inputs.change.files
    lines = sum(f.added + f.deleted for f in files)
    return Reason(
        factor="change size",
        points=_step(lines, SIZE_STEPS, SIZE_CAP),
        cap=SIZE_CAP,
        summary=f"{lines} lines changed in {len(files)} files",
        evidence={"lines": lines, "files": len(files), "source": inputs.change.source},
    )


def change_kinds(inputs: RiskInputs) -> Reason:
    if inputs.change is None:
        return _absent(inputs, "change kinds", KINDS_CAP, "no diff given")
    kinds: dict[ChangeKind, list[str]] = {}
    for f in inputs.change.files:
        kinds.setdefault(f.kind or kind_of(f.path), []).append(f.path)
    points = min(KINDS_CAP, sum(KIND_POINTS[k] for k in kinds))
    named = sorted(kinds, key=lambda k: -KIND_POINTS[k])
    summary = ", ".join(f"{k.value} ({len(kinds[k])})" for k in named) or "no files"
    evidence: dict[str, str | int | float | bool | None] = {
        k.value: ", ".join(kinds[k][:5]) + (" …" if len(kinds[k]) > 5 else "") for k in named
    }
    return Reason(
        factor="change kinds", points=points, cap=KINDS_CAP, summary=summary, evidence=evidence
    )


def tests(inputs: RiskInputs) -> Reason:
    run = inputs.tests
    if run is None:
        return _absent(inputs, "tests", TESTS_FAILING, "no JUnit XML report given")
    broken = run.failures + run.errors
    return Reason(
        factor="tests",
        points=TESTS_FAILING if broken else 0,
        cap=TESTS_FAILING,
        summary=f"{broken} of {run.tests} tests fail" if broken else f"all {run.tests} tests pass",
        evidence=run.model_dump(),
    )


def coverage(inputs: RiskInputs) -> Reason:
    cov = inputs.coverage
    if cov is None:
        return _absent(inputs, "coverage", COVERAGE_CAP, "no Cobertura XML report given")
    if cov.baseline is None:
        return Reason(
            factor="coverage",
            points=0,
            cap=COVERAGE_CAP,
            summary=f"line coverage {cov.line_rate:.1%} (no baseline report to compare)",
            evidence={"line_rate": cov.line_rate},
        )
    drop = cov.baseline - cov.line_rate
    points = next((p for bound, p in COVERAGE_STEPS if drop >= bound), 0)
    return Reason(
        factor="coverage",
        points=points,
        cap=COVERAGE_CAP,
        summary=f"line coverage {cov.baseline:.1%} → {cov.line_rate:.1%}",
        evidence={"line_rate": cov.line_rate, "baseline": cov.baseline, "drop": round(drop, 4)},
    )


def change_failures(inputs: RiskInputs) -> Reason:
    h = inputs.history
    if h is None:
        return _absent(inputs, "change-failure rate", FAILURE_CAP, "no store history")
    evidence = {"deploys": h.deploys, "failed": h.failed, "window_hours": h.window_hours}
    if h.deploys < MIN_HISTORY:
        summary = f"{h.deploys} deploys in {h.days} days: too few to rate (needs {MIN_HISTORY})"
        return Reason(
            factor="change-failure rate", points=0, cap=FAILURE_CAP, summary=summary,
            evidence=evidence,
        )  # fmt: skip
    rate = h.failed / h.deploys
    return Reason(
        factor="change-failure rate",
        points=min(FAILURE_CAP, round(FAILURE_CAP * rate)),
        cap=FAILURE_CAP,
        summary=f"{h.failed} of the last {h.deploys} deploys were followed by an incident "
        f"within {h.window_hours} h ({rate:.0%})",
        evidence={**evidence, "rate": round(rate, 3)},
    )


def recent_incidents(inputs: RiskInputs) -> Reason:
    h = inputs.history
    if h is None:
        return _absent(inputs, "recent incidents", RECENT_CAP, "no store history")
    return Reason(
        factor="recent incidents",
        points=min(RECENT_CAP, PER_RECENT_INCIDENT * h.recent_incidents),
        cap=RECENT_CAP,
        summary=f"{h.recent_incidents} incidents in the last {h.recent_days} days",
        evidence={"incidents": h.recent_incidents, "days": h.recent_days},
    )


def open_incidents(inputs: RiskInputs) -> Reason:
    found = inputs.open_incidents
    if found is None:
        return _absent(inputs, "open incidents", OPEN_INCIDENT, "the store was not read")
    return Reason(
        factor="open incidents",
        points=OPEN_INCIDENT if found else 0,
        cap=OPEN_INCIDENT,
        summary=f"{len(found)} open: {', '.join(found[:5])}" if found else "none open",
        evidence={"open": len(found), "ids": ", ".join(found[:10])},
    )


def traffic(inputs: RiskInputs) -> Reason:
    t = inputs.traffic
    if t is None or t.ratio is None:
        why = "no traffic query configured" if t is None else "no usual traffic to compare"
        return _absent(inputs, "traffic", PEAK_POINTS, why)
    peak = t.ratio >= PEAK_RATIO
    return Reason(
        factor="traffic",
        points=PEAK_POINTS if peak else 0,
        cap=PEAK_POINTS,
        summary=f"{'peak: ' if peak else ''}{t.ratio:.2f}× the median of its daily profile "
        f"(the last {t.days} days)",
        evidence={
            "now": round(t.now, 4),
            "typical": round(t.typical, 4),
            "ratio": round(t.ratio, 3),
        },
    )


def budget(inputs: RiskInputs) -> Reason:
    b = inputs.budget
    if b is None:
        return _absent(inputs, "error budget", BUDGET_CAP, "no error-ratio query configured")
    points = next((p for bound, p in BUDGET_STEPS if b.spent >= bound), 0)
    return Reason(
        factor="error budget",
        points=points,
        cap=BUDGET_CAP,
        summary=f"{b.spent:.0%} of the error budget spent (objective {b.objective:.3%})",
        evidence={"spent": round(b.spent, 4), "error_ratio": b.error_ratio},
    )


def freeze(inputs: RiskInputs) -> Reason:
    if inputs.freeze is None:
        return Reason(factor="change freeze", points=0, cap=FREEZE, summary="no freeze in effect")
    return Reason(
        factor="change freeze",
        points=FREEZE,
        cap=FREEZE,
        summary=f"change freeze {inputs.freeze!r} is in effect",
        evidence={"window": inputs.freeze},
    )


def blast_radius(inputs: RiskInputs) -> Reason:
    found = inputs.dependents
    if found is None:
        return _absent(inputs, "blast radius", BLAST_CAP, "the knowledge graph was not read")
    return Reason(
        factor="blast radius",
        points=_step(len(found), BLAST_STEPS, BLAST_CAP),
        cap=BLAST_CAP,
        summary=f"{len(found)} services depend on it"
        + (f": {', '.join(found[:5])}" if found else ""),
        evidence={"dependents": len(found), "names": ", ".join(found[:10])},
    )


FACTORS: tuple[Callable[[RiskInputs], Reason], ...] = (
    change_size,
    change_kinds,
    tests,
    coverage,
    change_failures,
    recent_incidents,
    open_incidents,
    traffic,
    budget,
    freeze,
    blast_radius,
)
"""Every factor, in the order the reasons list them."""
