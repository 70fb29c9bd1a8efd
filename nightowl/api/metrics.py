"""nightowl's own Prometheus metrics, in a registry of their own (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from nightowl.agent.metering import COLLECTORS as LLM_COLLECTORS

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

for _collector in LLM_COLLECTORS:  # the LLM agent's tokens, cost, calls, rejections
    REGISTRY.register(_collector)
