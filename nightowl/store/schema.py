"""Every table nightowl stores. Importing this module registers them all on ``Base.metadata``.

The spine's tables are in ``tables.py``; each later concept keeps its tables in a module of its own
and is listed here, one line each, so that migrations and the drift check see the whole schema.
"""

from __future__ import annotations

import nightowl.store.approvals  # registers approvals
import nightowl.store.audit  # registers audit_records
import nightowl.store.control  # registers control
import nightowl.store.deploys  # registers deploys
import nightowl.store.findings  # registers findings
import nightowl.store.graph  # registers graph_entities, graph_edges
import nightowl.store.llm  # registers llm_calls, llm_tool_calls, llm_runs
import nightowl.store.memory  # registers memories, memory_keys, memory_feedback
import nightowl.store.observations  # noqa: F401  (registers observations)
from nightowl.store import intake_tables  # noqa: F401  (registers alert_states, alert_groups, silences)
from nightowl.store.tables import Base

__all__ = ["Base"]
