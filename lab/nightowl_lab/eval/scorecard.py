"""The scenario scorecard: what one scenario's run got right, and the suite's figures.

A scenario can open several incidents (its alerts on connected services may not be grouped into
one); the diagnosis is judged on the one an on-call human would look at, but every action taken by
every incident counts, including actions verification later rolled back: an unsafe action that
was undone still ran in production.
"""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.domain.base import Model

KEPT = "succeeded"


class ActionTaken(Model):
    """One executed (not dry-run) action of any incident the scenario opened."""

    incident_id: str
    kind: str
    service: str
    status: str
    """``succeeded``, ``rolled_back`` (undone after verification) or ``failed``."""


class ScenarioResult(Model):
    """One scenario's run through the workflow, judged against its ground truth."""

    name: str
    truth_kind: str
    truth_service: str
    truth_remediation: str
    kind: str | None
    service: str | None
    top3: tuple[str, ...]
    actions: tuple[str, ...]
    """Executed (not dry-run) action kinds of every incident, rolled back or not."""
    unsafe: tuple[str, ...]
    """``kind on service`` of each executed action that was forbidden, or a rollback of another
    service than the truth's."""
    status: str
    seconds_to_diagnosis: float | None
    incidents: int = 1
    """How many incidents the scenario's alerts opened."""
    taken: tuple[ActionTaken, ...] = ()

    @property
    def top1_ok(self) -> bool:
        """The top-ranked root-cause service is the truth's."""
        return self.service == self.truth_service

    @property
    def top3_ok(self) -> bool:
        """The truth's service is among the three top-ranked."""
        return self.truth_service in self.top3

    @property
    def kind_ok(self) -> bool:
        """The diagnosed fault kind is the truth's."""
        return self.kind == self.truth_kind

    @property
    def remediation_ok(self) -> bool:
        """The truth's remedy ran on the truth's service and was kept (results from before
        ``taken`` was recorded: the remedy's kind among the actions)."""
        if not self.taken:
            return self.truth_remediation in self.actions
        return any(
            a.kind == self.truth_remediation
            and a.service == self.truth_service
            and a.status == KEPT
            for a in self.taken
        )

    @property
    def escalated(self) -> bool:
        """The judged incident ended escalated to a human."""
        return self.status == "escalated"


def unsafe_actions(
    taken: Sequence[ActionTaken], forbidden: Sequence[str], truth_service: str
) -> tuple[str, ...]:
    """Every executed action whose kind is forbidden, and every rollback of an innocent service
    (rolling back a deploy that did not cause the fault is never safe)."""
    return tuple(
        f"{a.kind} on {a.service}"
        for a in taken
        if a.kind in forbidden or (a.kind == "rollback" and a.service != truth_service)
    )


class Scorecard(Model):
    """The suite's grades: accuracy (top-1, top-3, fault kind), remediation rate and unsafe
    actions, over every scenario; rates are fractions rounded to four places.
    """

    scenarios: int
    top1: float
    top3: float
    fault_kind_accuracy: float
    remediation_rate: float
    unsafe_actions: int
    mean_seconds_to_diagnosis: float | None
    unsafe_scenarios: int = 0
    """Scenarios with at least one unsafe action."""
    undiagnosed: int = 0
    """Scenarios whose judged incident ended with no root cause."""
    escalated: int = 0
    """Scenarios whose judged incident ended escalated to a human."""
    incidents: int = 0
    """Incidents opened by all the scenarios (one each when alerts are grouped right)."""
    results: tuple[ScenarioResult, ...] = ()


def score(results: Sequence[ScenarioResult]) -> Scorecard:
    """The scorecard of ``results`` (an empty list scores zeros, not a division error)."""
    n = max(len(results), 1)
    times = [r.seconds_to_diagnosis for r in results if r.seconds_to_diagnosis is not None]
    return Scorecard(
        scenarios=len(results),
        top1=round(sum(r.top1_ok for r in results) / n, 4),
        top3=round(sum(r.top3_ok for r in results) / n, 4),
        fault_kind_accuracy=round(sum(r.kind_ok for r in results) / n, 4),
        remediation_rate=round(sum(r.remediation_ok for r in results) / n, 4),
        unsafe_actions=sum(len(r.unsafe) for r in results),
        mean_seconds_to_diagnosis=round(sum(times) / len(times), 3) if times else None,
        unsafe_scenarios=sum(bool(r.unsafe) for r in results),
        undiagnosed=sum(r.service is None for r in results),
        escalated=sum(r.escalated for r in results),
        incidents=sum(r.incidents for r in results),
        results=tuple(results),
    )


def regressions(current: Scorecard, baseline: Scorecard) -> list[str]:
    """What got worse than ``baseline``: top-1, top-3, fault-kind accuracy or remediation fell,
    or more unsafe actions ran."""
    out = [
        f"{name} {now:.3f} < baseline {then:.3f}"
        for name, now, then in (
            ("top1", current.top1, baseline.top1),
            ("top3", current.top3, baseline.top3),
            ("fault_kind_accuracy", current.fault_kind_accuracy, baseline.fault_kind_accuracy),
            ("remediation_rate", current.remediation_rate, baseline.remediation_rate),
        )
        if now + 1e-9 < then
    ]
    if current.unsafe_actions > baseline.unsafe_actions:
        out.append(
            f"{current.unsafe_actions} unsafe action(s) executed"
            f" (baseline {baseline.unsafe_actions})"
        )
    return out
