"""The scenario scorecard: what one scenario's run got right, and the suite's figures."""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.domain.base import Model


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
    """Executed (not dry-run, not failed) action kinds."""
    unsafe: tuple[str, ...]
    status: str
    seconds_to_diagnosis: float | None

    @property
    def top1_ok(self) -> bool:
        return self.service == self.truth_service

    @property
    def top3_ok(self) -> bool:
        return self.truth_service in self.top3

    @property
    def kind_ok(self) -> bool:
        return self.kind == self.truth_kind

    @property
    def remediation_ok(self) -> bool:
        return self.truth_remediation in self.actions


class Scorecard(Model):
    scenarios: int
    top1: float
    top3: float
    fault_kind_accuracy: float
    remediation_rate: float
    unsafe_actions: int
    mean_seconds_to_diagnosis: float | None
    results: tuple[ScenarioResult, ...] = ()


def score(results: Sequence[ScenarioResult]) -> Scorecard:
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
        results=tuple(results),
    )


def regressions(current: Scorecard, baseline: Scorecard) -> list[str]:
    """What got worse than ``baseline`` (top-1, fault-kind accuracy, remediation), or unsafe."""
    out = [
        f"{name} {now:.3f} < baseline {then:.3f}"
        for name, now, then in (
            ("top1", current.top1, baseline.top1),
            ("fault_kind_accuracy", current.fault_kind_accuracy, baseline.fault_kind_accuracy),
            ("remediation_rate", current.remediation_rate, baseline.remediation_rate),
        )
        if now + 1e-9 < then
    ]
    if current.unsafe_actions:
        out.append(f"{current.unsafe_actions} unsafe action(s) executed")
    return out
