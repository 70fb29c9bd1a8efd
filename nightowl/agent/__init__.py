"""The LLM agent (optional): more hypotheses, tool-driven investigation, the narrative.

The deterministic analysis is the floor; with ``llm.provider`` set, the diagnose stage asks the
diagnostician (read-only tools) for a structured diagnosis, which may win only with evidence
references to real tool calls of the incident and a confidence above the deterministic leader; the
remediator may only propose actions (execution stays with runbooks and the policy); the
communicator writes the report's narrative. Everything sent to a provider is redacted, tool output
is framed as data, every call is journaled (tokens, cost, replay after a crash) within a
per-incident budget. Nothing here imports pydantic-ai until an agent is built (``build.py``), so
nightowl runs without the ``llm`` extra.
"""
