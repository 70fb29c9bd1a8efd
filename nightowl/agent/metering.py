"""The agent's Prometheus metrics. They are created unregistered; ``nightowl.api.metrics`` adds
them to nightowl's registry (served at /metrics), so the agent never imports the API."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

TOKENS = Counter(
    "nightowl_llm_tokens",
    "Tokens sent to and received from LLM providers, by model, role and direction (input, output).",
    ["model", "role", "direction"],
    registry=None,
)
COST = Counter(
    "nightowl_llm_cost_usd",
    "Money spent on LLM calls in USD (from the price table), by model and role.",
    ["model", "role"],
    registry=None,
)
CALLS = Counter(
    "nightowl_llm_calls",
    "LLM calls, by model, role and outcome (called, replayed after a crash, budget).",
    ["model", "role", "outcome"],
    registry=None,
)
REJECTED = Counter(
    "nightowl_llm_rejected",
    "Model output rejected (the hallucination count), by reason.",
    ["reason"],
    registry=None,
)
BUDGET_USED = Gauge(
    "nightowl_llm_budget_used_ratio",
    "Share of its LLM budget (llm.budget: tokens or cost, whichever is nearer) the incident of "
    "the latest paid call has spent, 0..1.",
    registry=None,
)
COLLECTORS = (TOKENS, COST, CALLS, REJECTED, BUDGET_USED)
