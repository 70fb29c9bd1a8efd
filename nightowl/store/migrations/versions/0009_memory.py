"""Incident memory: finished incidents, their structural keys, human feedback, full-text search.

SQLite ranks with an FTS5 virtual table (``memories_fts``, bm25); PostgreSQL with a ``tsvector``
column and a GIN index.

Revision ID: 0009_memory
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "0009_memory"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "memories",
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("search", TSVECTOR() if postgres else sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_memories")),
    )
    op.create_index(op.f("ix_memories_opened_at"), "memories", ["opened_at"], unique=False)
    op.create_index(
        "ix_memories_search", "memories", ["search"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "memory_keys",
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "key", name=op.f("pk_memory_keys")),
    )
    op.create_index(op.f("ix_memory_keys_key"), "memory_keys", ["key"], unique=False)
    op.create_table(
        "memory_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correction", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_feedback")),
    )
    op.create_index(
        op.f("ix_memory_feedback_incident_id"), "memory_feedback", ["incident_id"], unique=False
    )
    op.create_index(op.f("ix_memory_feedback_author"), "memory_feedback", ["author"], unique=False)
    if not postgres:
        op.execute("CREATE VIRTUAL TABLE memories_fts USING fts5(incident_id UNINDEXED, document)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE memories_fts")
    op.drop_table("memory_feedback")
    op.drop_table("memory_keys")
    op.drop_table("memories")
