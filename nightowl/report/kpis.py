"""How well nightowl does its job, computed from the store: the agent's KPIs.

| KPI | definition |
|---|---|
| MTTR | mean of (recovery verified − incident opened) over resolved incidents with a verification |
| time to diagnose | mean of (root cause named − incident opened) over diagnosed incidents |
| auto-remediation rate | closed incidents that nightowl resolved by its own real (not dry-run) actions, with no human approval, ÷ closed incidents (resolved or escalated) |
| suggestion acceptance rate | approval requests approved ÷ requests answered or expired |
| false-positive rate | (actions rolled back + diagnoses overruled by a human, i.e. incidents with a denied request) ÷ (real actions + incidents with a request) |
| rollbacks, escalations | counts |
| LLM tokens and cost | summed over the agent's recorded model calls (``llm_calls``); 0 without an LLM |

Pure arithmetic over what ``nightowl.store.kpi_rows`` read in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from statistics import fmean
from typing import Any

from nightowl.domain import ActionStatus, ApprovalStatus, IncidentStatus, Model
from nightowl.store.kpi_rows import KpiRows

REAL = (ActionStatus.SUCCEEDED.value, ActionStatus.FAILED.value, ActionStatus.ROLLED_BACK.value)


class Kpis(Model):
    """The agent's KPIs over every incident in the store (definitions in the module docstring).

    Rates and means are None when there is nothing to divide by (no closed incident, no finished
    request), so a fresh install shows "no data" rather than 0 %.
    """

    incidents: int = 0
    open_incidents: int = 0
    resolved: int = 0
    escalations: int = 0
    mttr_seconds: float | None = None
    time_to_diagnose_seconds: float | None = None
    auto_remediated: int = 0
    auto_remediation_rate: float | None = None
    approvals_requested: int = 0
    approvals_approved: int = 0
    approvals_denied: int = 0
    approvals_expired: int = 0
    suggestion_acceptance_rate: float | None = None
    actions_executed: int = 0
    rollbacks: int = 0
    diagnoses_overruled: int = 0
    false_positive_rate: float | None = None
    llm_tokens: int = 0
    llm_cost_usd: float = 0.0
    llm_note: str = ""


def compute(rows: KpiRows) -> Kpis:
    """The KPIs over every incident the rows hold (see the table above)."""
    incidents, actions, gated = rows.incidents, rows.actions, rows.approval_gated
    approvals = rows.approvals
    statuses = [r.status for r in incidents]
    resolved = [r for r in incidents if r.status == IncidentStatus.RESOLVED.value]
    closed = sum(
        s in (IncidentStatus.RESOLVED.value, IncidentStatus.ESCALATED.value) for s in statuses
    )
    real = [a for a in actions if a.status in REAL]
    rolled_back = sum(a.status == ActionStatus.ROLLED_BACK.value for a in actions)
    succeeded_by = {
        a.incident_id
        for a in actions
        if a.status == ActionStatus.SUCCEEDED.value
        and not a.body.get("dry_run")
        and a.body.get("idempotency_key") not in gated
    }
    auto = sum(1 for r in resolved if r.id in succeeded_by and _recovered(r.verification))
    counts = {s: sum(status == s.value for _, status in approvals) for s in ApprovalStatus}
    asked = {incident for incident, _ in approvals}
    overruled = {i for i, status in approvals if status == ApprovalStatus.DENIED.value}
    finished = (
        counts[ApprovalStatus.APPROVED]
        + counts[ApprovalStatus.DENIED]
        + counts[ApprovalStatus.EXPIRED]
    )
    return Kpis(
        incidents=len(incidents),
        open_incidents=len(statuses) - closed,
        resolved=len(resolved),
        escalations=statuses.count(IncidentStatus.ESCALATED.value),
        mttr_seconds=_mean(_since(r.opened_at, _recovered_at(r.verification)) for r in resolved),
        time_to_diagnose_seconds=_mean(
            _since(r.opened_at, _diagnosed_at(r.diagnosis)) for r in incidents
        ),
        auto_remediated=auto,
        auto_remediation_rate=_ratio(auto, closed),
        approvals_requested=len(approvals),
        approvals_approved=counts[ApprovalStatus.APPROVED],
        approvals_denied=counts[ApprovalStatus.DENIED],
        approvals_expired=counts[ApprovalStatus.EXPIRED],
        suggestion_acceptance_rate=_ratio(counts[ApprovalStatus.APPROVED], finished),
        actions_executed=len(real),
        rollbacks=rolled_back,
        diagnoses_overruled=len(overruled),
        false_positive_rate=_ratio(rolled_back + len(overruled), len(real) + len(asked)),
        llm_tokens=rows.llm_tokens,
        llm_cost_usd=rows.llm_cost_usd,
        llm_note=f"{rows.llm_calls} LLM calls recorded"
        if rows.llm_calls
        else "no LLM calls recorded: analysis ran without an LLM (llm.provider: none)",
    )


def _recovered(verification: dict[str, Any] | None) -> bool:
    return bool(verification and verification.get("recovered"))


def _recovered_at(verification: dict[str, Any] | None) -> datetime | None:
    if not _recovered(verification):
        return None
    assert verification is not None
    return datetime.fromisoformat(verification["checked_at"])


def _diagnosed_at(diagnosis: dict[str, Any] | None) -> datetime | None:
    if not diagnosis or not diagnosis.get("root_cause"):
        return None
    return datetime.fromisoformat(diagnosis["decided_at"])


def _since(start: datetime, end: datetime | None) -> float | None:
    if end is None:
        return None
    if end.tzinfo is None or start.tzinfo is None:
        end, start = end.replace(tzinfo=None), start.replace(tzinfo=None)
    return max((end - start).total_seconds(), 0.0)


def _mean(values: Any) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
