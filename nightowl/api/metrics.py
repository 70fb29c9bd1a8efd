"""nightowl's own Prometheus metrics, in a registry of their own (served at /metrics): the
webhook counts here, the agent's LLM metrics, the operators' metrics (``nightowl.telemetry.meters``)
and the backlog read from the store at each scrape."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from nightowl.agent.metering import COLLECTORS as LLM_COLLECTORS
from nightowl.errors import StoreError
from nightowl.telemetry import meters
from nightowl.telemetry.meters import COLLECTORS as OPERATOR_COLLECTORS

log = logging.getLogger(__name__)
REGISTRY = CollectorRegistry(auto_describe=True)

UNKNOWN = "unknown"
"""The ``source`` label of requests to a source nightowl does not have: one series, not one per
name a caller makes up."""

WEBHOOKS = Counter(
    "nightowl_webhooks_total",
    "Webhook requests received, by source (a known one, or 'unknown') and outcome: accepted, "
    "rejected (kept as a dead letter), unauthenticated, too_large, bad_request, unknown_source "
    "(none of these last four is stored; rate-limited requests: nightowl_rate_limited_total).",
    ["source", "outcome"],
    registry=REGISTRY,
)

RATE_LIMITED = Counter(
    "nightowl_rate_limited_total",
    "Requests answered 429 because their client was over a rate limit, by rule.",
    ["rule"],
    registry=REGISTRY,
)

for _collector in (*LLM_COLLECTORS, *OPERATOR_COLLECTORS):
    REGISTRY.register(_collector)

OUTCOMES = ("accepted", "rejected", "unauthenticated", "too_large", "bad_request")


def start_at_zero(sources: Iterable[str]) -> None:
    """Every series with labels known in advance at 0 (the webhooks of each source, the stages,
    verdicts and audit checks), so that a first failure shows as an increase."""
    for source in sources:
        for outcome in OUTCOMES:
            WEBHOOKS.labels(source=source, outcome=outcome)
    WEBHOOKS.labels(source=UNKNOWN, outcome="unknown_source")
    meters.start_at_zero()


Backlog = Callable[[], tuple[int, datetime | None, datetime]]
"""How many incidents wait on nightowl, when the oldest was opened, and the time now."""


class QueueCollector(Collector):
    """The incidents nightowl still owes work (open or investigating) and the age of the oldest,
    read from the store when Prometheus scrapes; nothing until ``backlog`` is set. A store that
    cannot be read leaves them out of the answer rather than failing it."""

    def __init__(self) -> None:
        self.backlog: Backlog | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.backlog is None:
            return
        try:
            depth, oldest, now = self.backlog()
        except StoreError as exc:
            log.warning("the queue left out of /metrics: %s", exc)
            return
        age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily(
            "nightowl_queue_depth", "Incidents open or being investigated.", value=depth
        )
        yield GaugeMetricFamily(
            "nightowl_queue_oldest_seconds",
            "Age of the oldest incident open or being investigated (0 when none).",
            value=age,
        )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())


QUEUE = QueueCollector()
REGISTRY.register(QUEUE)
