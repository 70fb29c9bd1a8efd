"""Persistence: SQLAlchemy 2 models, repositories and Alembic migrations (SQLite or PostgreSQL)."""

from nightowl.store.database import create_engine_for, migrate
from nightowl.store.dead_letters import DeadLetter
from nightowl.store.repository import AddAlertsResult, IncidentStore

__all__ = ["AddAlertsResult", "DeadLetter", "IncidentStore", "create_engine_for", "migrate"]
