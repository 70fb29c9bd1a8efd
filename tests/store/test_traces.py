"""Incidents' trace contexts on SQLite and PostgreSQL: the first claim wins, so every process
that runs or recovers the workflow continues one trace."""

from __future__ import annotations

from datetime import UTC, datetime

from nightowl.store import create_engine_for, migrate
from nightowl.store.traces import TraceStore

FIRST = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
SECOND = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
AT = datetime(2026, 12, 3, 3, 4, tzinfo=UTC)


def test_the_first_claim_is_kept(database_url: str) -> None:
    engine = create_engine_for(database_url)
    migrate(engine)
    traces = TraceStore(engine)
    try:
        assert traces.get("inc-1") is None
        assert traces.claim("inc-1", FIRST, AT) == FIRST
        assert traces.claim("inc-1", SECOND, AT) == FIRST  # a second process, the same trace
        assert traces.get("inc-1") == FIRST
        assert traces.claim("inc-2", SECOND, AT) == SECOND
    finally:
        engine.dispose()
