"""The operators' Prometheus metrics: how nightowl itself is doing (beside the agent's KPIs).

Created unregistered, like the agent's (``nightowl.agent.metering``); ``nightowl.api.metrics``
adds them to the registry served at /metrics, so no stage imports the API. Counts and
durations observed inside a span carry its trace id as an exemplar (shown in the OpenMetrics
exposition), linking a bad bucket to a trace.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

from nightowl.domain import StageName, Verdict
from nightowl.logs import current_trace_id

FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)
SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

WEBHOOK_SECONDS = Histogram(
    "nightowl_webhook_seconds",
    "Time to answer a webhook request, by source (or 'unknown').",
    ["source"],
    buckets=FAST,
    registry=None,
)
INTAKE_BATCH = Histogram(
    "nightowl_intake_batch_alerts",
    "Alerts in one accepted webhook notification.",
    buckets=SIZES,
    registry=None,
)
STAGE_SECONDS = Histogram(
    "nightowl_stage_seconds",
    "Time one stage of an incident workflow took, by stage.",
    ["stage"],
    buckets=SLOW,
    registry=None,
)
STAGES = Counter(
    "nightowl_stage_runs",
    "Stage runs of incident workflows, by stage and outcome (done, failed).",
    ["stage", "outcome"],
    registry=None,
)
CONNECTOR_CALLS = Counter(
    "nightowl_connector_calls",
    "Reads from connectors during gather, by connector (backend) and outcome (ok, error, timeout).",
    ["backend", "outcome"],
    registry=None,
)
CONNECTOR_SECONDS = Histogram(
    "nightowl_connector_seconds",
    "Time one connector read took, by connector (backend).",
    ["backend"],
    buckets=FAST,
    registry=None,
)
LLM_SECONDS = Histogram(
    "nightowl_llm_seconds",
    "Time one LLM call took, by model and role.",
    ["model", "role"],
    buckets=SLOW,
    registry=None,
)
POLICY_VERDICTS = Counter(
    "nightowl_policy_verdicts",
    "Policy decisions on planned actions, by verdict (allow, require_approval, deny).",
    ["verdict"],
    registry=None,
)
ACTIONS = Counter(
    "nightowl_actions",
    "Actions the executor ran, by driver kind and status (dry_run, succeeded, failed, ...).",
    ["kind", "status"],
    registry=None,
)
AUDIT_VERIFIED = Counter(
    "nightowl_audit_verifications",
    "Verifications of the audit trail in this process, by outcome (ok, failed).",
    ["outcome"],
    registry=None,
)
AUDIT_OK = Gauge(
    "nightowl_audit_chain_ok",
    "1 when the last verification of the audit trail in this process passed, 0 when it failed "
    "(absent before the first).",
    registry=None,
)
COLLECTORS: tuple[MetricWrapperBase, ...] = (
    WEBHOOK_SECONDS,
    INTAKE_BATCH,
    STAGE_SECONDS,
    STAGES,
    CONNECTOR_CALLS,
    CONNECTOR_SECONDS,
    LLM_SECONDS,
    POLICY_VERDICTS,
    ACTIONS,
    AUDIT_VERIFIED,
    AUDIT_OK,
)


def start_at_zero() -> None:
    """Create the series whose labels are known in advance at 0, so that the first failure is
    an increase Prometheus can see (a series first scraped at 1 has not increased)."""
    for stage in StageName:
        for outcome in ("done", "failed"):
            STAGES.labels(stage.value, outcome)
    for verdict in Verdict:
        POLICY_VERDICTS.labels(verdict.value)
    for outcome in ("ok", "failed"):
        AUDIT_VERIFIED.labels(outcome)


def _exemplar() -> dict[str, str] | None:
    trace_id = current_trace_id()
    return {"trace_id": trace_id} if trace_id else None


def count(counter: Counter, amount: float = 1.0) -> None:
    """Increment ``counter`` (a labelled child), with the current trace as exemplar."""
    counter.inc(amount, exemplar=_exemplar())


def observe(histogram: Histogram, value: float) -> None:
    """Observe ``value`` on ``histogram`` (a labelled child), with the current trace as exemplar."""
    histogram.observe(value, exemplar=_exemplar())


@contextmanager
def timed(histogram: Histogram) -> Iterator[None]:
    """Observe the block's wall time on ``histogram`` (also when it raises)."""
    began = time.perf_counter()
    try:
        yield
    finally:
        observe(histogram, time.perf_counter() - began)
