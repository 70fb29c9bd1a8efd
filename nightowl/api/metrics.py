"""nightowl's own Prometheus metrics, in a registry of their own (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from nightowl.agent.metering import COLLECTORS as LLM_COLLECTORS

REGISTRY = CollectorRegistry(auto_describe=True)

WEBHOOKS = Counter(
    "nightowl_webhooks_total",
    "Webhook requests received, by source and outcome (accepted or rejected).",
    ["source", "outcome"],
    registry=REGISTRY,
)

for _collector in LLM_COLLECTORS:  # the LLM agent's tokens, cost, calls, rejections
    REGISTRY.register(_collector)
