"""Observations stored once per round and passed between stages by reference.

Revision ID: 0007_observations
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_observations"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "observations",
        sa.Column("ref", sa.String(length=300), nullable=False),
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_observations")),
    )
    op.create_index(
        op.f("ix_observations_incident_id"), "observations", ["incident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_observations_incident_id"), table_name="observations")
    op.drop_table("observations")
