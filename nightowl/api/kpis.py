"""``GET /api/v1/kpis`` and the same KPIs on ``/metrics`` (computed from the store at each scrape).

The collector is registered in nightowl's registry (``api/metrics.py``) once; ``bind`` points it at
the application a server runs. A store that cannot be read makes the scrape omit the KPIs rather
than fail the whole ``/metrics`` answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, nightowl_of
from nightowl.api.metrics import QUEUE, REGISTRY, start_at_zero
from nightowl.domain.findings import EstateKpis
from nightowl.errors import StoreError
from nightowl.report.kpis import Kpis

if TYPE_CHECKING:
    from nightowl.app import Nightowl

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])

GAUGES: tuple[tuple[str, str, str], ...] = (
    ("incidents", "nightowl_incidents", "Incidents in the store."),
    ("open_incidents", "nightowl_incidents_open", "Incidents neither resolved nor escalated."),
    ("mttr_seconds", "nightowl_mttr_seconds", "Mean time from page to verified recovery."),
    (
        "time_to_diagnose_seconds",
        "nightowl_time_to_diagnose_seconds",
        "Mean time from page to a named root cause.",
    ),
    (
        "auto_remediation_rate",
        "nightowl_auto_remediation_ratio",
        "Closed incidents resolved by nightowl's own actions without a human.",
    ),
    (
        "suggestion_acceptance_rate",
        "nightowl_suggestion_acceptance_ratio",
        "Approval requests approved, of those answered or expired.",
    ),
    (
        "false_positive_rate",
        "nightowl_false_positive_ratio",
        "Actions rolled back and diagnoses overruled by a human, of actions and proposals.",
    ),
    ("rollbacks", "nightowl_rollbacks", "Actions rolled back because they did not help."),
    ("escalations", "nightowl_escalations", "Incidents escalated to a human."),
    ("actions_executed", "nightowl_actions_executed", "Real (not dry-run) actions attempted."),
    (
        "llm_tokens",
        "nightowl_kpi_llm_tokens",
        "LLM tokens recorded in the store (0 without an LLM).",
    ),
    ("llm_cost_usd", "nightowl_kpi_llm_cost_usd", "LLM cost recorded in the store, in USD."),
)


ESTATE: tuple[tuple[str, str, str], ...] = (
    ("drift_open", "nightowl_drift_open", "Drifted resources found and not yet fixed."),
    (
        "drift_oldest_age_seconds",
        "nightowl_drift_oldest_age_seconds",
        "Age of the oldest drift not yet fixed.",
    ),
    ("findings_open", "nightowl_findings_open", "Watchers' findings new or open."),
    (
        "cost_delta_week",
        "nightowl_cost_delta_week",
        "Monthly cost delta of the findings first seen in the last 7 days.",
    ),
    (
        "savings_proposed_monthly",
        "nightowl_savings_proposed_monthly",
        "Monthly savings proposed by open findings (scale-downs, limit changes).",
    ),
    (
        "actions_cost_monthly",
        "nightowl_actions_cost_monthly",
        "Monthly cost of the priced actions approvers approved (scale-outs).",
    ),
)


class KpiCollector(Collector):
    """Computes the KPIs when Prometheus scrapes; nothing until ``bind`` gives it a store."""

    def __init__(self) -> None:
        self.compute: Callable[[], Kpis] | None = None
        self.estate: Callable[[], EstateKpis] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.compute is None:
            return
        try:
            kpis = self.compute()
        except StoreError as exc:
            log.warning("KPIs left out of /metrics: %s", exc)
            return
        for field, name, doc in GAUGES:
            value = getattr(kpis, field)
            if value is not None:  # a rate with nothing to divide by is absent, not 0
                yield GaugeMetricFamily(name, doc, value=float(value))
        yield from self._estate()

    def _estate(self) -> Iterator[GaugeMetricFamily]:
        if self.estate is None:
            return
        try:
            kpis = self.estate()
        except StoreError as exc:
            log.warning("estate KPIs left out of /metrics: %s", exc)
            return
        for field, name, doc in ESTATE:
            value = getattr(kpis, field)
            if value is not None:
                yield GaugeMetricFamily(name, doc, value=float(value))

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())


COLLECTOR = KpiCollector()
REGISTRY.register(COLLECTOR)


def bind(app: Nightowl) -> None:
    """Serve the KPIs and the backlog of ``app``'s store on /metrics."""
    COLLECTOR.compute = app.records.kpis
    COLLECTOR.estate = app.records.estate_kpis
    QUEUE.backlog = lambda: (*app.store.backlog(), app.clock.now())
    start_at_zero(app.sources)


@router.get(
    "",
    response_model=Kpis,
    responses=REFUSED,
    summary="The agent's KPIs: MTTR, time to diagnose, auto-remediation, acceptance, "
    "false positives, rollbacks, escalations, LLM tokens and cost",
)
async def get_kpis(request: Request, _: Reader) -> Kpis:
    return await run_in_threadpool(nightowl_of(request).records.kpis)
