"""Deploys pushed by CI pipelines (POST /api/v1/deploys, nightowl deploy record).

Revision ID: 0002_deploys
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_deploys"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deploys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column("previous_version", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("commit", sa.String(length=100), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deploys")),
        sa.UniqueConstraint("service", "version", "at", name=op.f("uq_deploys_service_version_at")),
    )
    op.create_index(op.f("ix_deploys_at"), "deploys", ["at"], unique=False)
    op.create_index(op.f("ix_deploys_service"), "deploys", ["service"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_deploys_service"), table_name="deploys")
    op.drop_index(op.f("ix_deploys_at"), table_name="deploys")
    op.drop_table("deploys")
