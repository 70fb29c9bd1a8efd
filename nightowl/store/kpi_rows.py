"""What the KPIs are computed from, read in one transaction: the small columns of every incident,
action, decision and approval, and the LLM agent's recorded usage.

The arithmetic lives in ``nightowl.report.kpis``; this module only reads (one read transaction, a
few aggregate queries and a scan of the incident rows' small JSON columns: cheap enough for a
Prometheus scrape of a store with tens of thousands of incidents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from nightowl.store.approvals import ApprovalRow
from nightowl.store.llm import LlmCallRow
from nightowl.store.sessions import Sessions
from nightowl.store.tables import ActionRow, DecisionRow, IncidentRow


@dataclass(frozen=True)
class IncidentFacts:
    """What the KPIs read of one incident: status, opening time, diagnosis and verification as
    stored.
    """

    id: str
    status: str
    opened_at: datetime
    diagnosis: dict[str, Any] | None
    verification: dict[str, Any] | None


@dataclass(frozen=True)
class ActionFacts:
    """What the KPIs read of one action: its incident, status and stored body."""

    incident_id: str
    status: str
    body: dict[str, Any]


@dataclass(frozen=True)
class KpiRows:
    """Plain values (no database types): incidents, actions, the idempotency keys of actions a
    human approved, approvals as (incident id, status), and LLM (calls, tokens, cost)."""

    incidents: list[IncidentFacts]
    actions: list[ActionFacts]
    approval_gated: set[str]
    approvals: list[tuple[str, str]]
    llm_calls: int
    llm_tokens: int
    llm_cost_usd: float


def kpi_rows(engine: Engine) -> KpiRows:
    """Read what the KPIs need; StoreError when the database cannot be used."""
    with Sessions(engine).read() as session:
        incidents = [
            IncidentFacts(*row)
            for row in session.execute(
                select(
                    IncidentRow.id,
                    IncidentRow.status,
                    IncidentRow.opened_at,
                    IncidentRow.diagnosis,
                    IncidentRow.verification,
                )
            )
        ]
        actions = [
            ActionFacts(*row)
            for row in session.execute(
                select(ActionRow.incident_id, ActionRow.status, ActionRow.body)
            )
        ]
        gated = _approval_gated(session)
        approvals = [
            (i, s) for i, s in session.execute(select(ApprovalRow.incident_id, ApprovalRow.status))
        ]
        calls, tokens, cost = _usage(session)
    return KpiRows(incidents, actions, gated, approvals, calls, tokens, cost)


def _approval_gated(session: Session) -> set[str]:
    """Idempotency keys of actions a human approved (their decision cites an approval rule)."""
    keys: set[str] = set()
    for key, body in session.execute(select(DecisionRow.idempotency_key, DecisionRow.body)):
        if any(str(rule).startswith("approval.") for rule in body.get("rules", [])):
            keys.add(key)
    return keys


def _usage(session: Session) -> tuple[int, int, float]:
    query = select(
        func.count(),
        func.coalesce(func.sum(LlmCallRow.input_tokens + LlmCallRow.output_tokens), 0),
        func.coalesce(func.sum(LlmCallRow.cost_usd), 0.0),
    )
    calls, tokens, cost = session.execute(query).one()
    return int(calls), int(tokens), float(cost)
