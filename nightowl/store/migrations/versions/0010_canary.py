"""Canary analyses: one row per analysed deploy.

Revision ID: 0010_canary
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_canary"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canary_runs",
        sa.Column("id", sa.String(length=400), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canary_runs")),
    )
    op.create_index(op.f("ix_canary_runs_service"), "canary_runs", ["service"], unique=False)
    op.create_index(op.f("ix_canary_runs_started_at"), "canary_runs", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_canary_runs_started_at"), table_name="canary_runs")
    op.drop_index(op.f("ix_canary_runs_service"), table_name="canary_runs")
    op.drop_table("canary_runs")
