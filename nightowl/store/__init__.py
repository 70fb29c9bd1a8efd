"""Persistence: SQLAlchemy 2 models, repositories and Alembic migrations (SQLite or PostgreSQL)."""

from nightowl.store.database import create_engine_for, migrate, missing_sqlite_file
from nightowl.store.repository import AddAlertsResult, IncidentStore

__all__ = [
    "AddAlertsResult",
    "IncidentStore",
    "create_engine_for",
    "migrate",
    "missing_sqlite_file",
]
