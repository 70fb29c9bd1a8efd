"""The LLM agent: the journal of model calls (tokens, cost, answer), its tool calls, its runs.

Revision ID: 0005_llm
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_llm"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_calls",
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("run_key", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_read_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "run_key", "seq", name=op.f("pk_llm_calls")),
    )
    op.create_table(
        "llm_tool_calls",
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("call_id", sa.String(length=100), nullable=False),
        sa.Column("run_key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "call_id", name=op.f("pk_llm_tool_calls")),
    )
    op.create_table(
        "llm_runs",
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("run_key", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "run_key", name=op.f("pk_llm_runs")),
    )


def downgrade() -> None:
    op.drop_table("llm_runs")
    op.drop_table("llm_tool_calls")
    op.drop_table("llm_calls")
