"""Watchers' findings, tracked over time by fingerprint.

Revision ID: 0010_findings
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_findings"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("watcher", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("resource", sa.String(length=500), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("monthly_cost_delta", sa.Float(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_findings")),
    )
    op.create_index(op.f("ix_findings_watcher"), "findings", ["watcher"], unique=False)
    op.create_index(op.f("ix_findings_state"), "findings", ["state"], unique=False)
    op.create_index(op.f("ix_findings_last_seen"), "findings", ["last_seen"], unique=False)


def downgrade() -> None:
    op.drop_table("findings")
