"""Alert intake: the latest state of every alert, alert groups, silences.

Revision ID: 0004_intake
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_intake"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_groups",
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("incident_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_flush_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("repeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("updates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_key", name=op.f("pk_alert_groups")),
    )
    op.create_index("ix_alert_groups_due", "alert_groups", ["next_flush_at"], unique=False)
    op.create_table(
        "alert_states",
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.String(length=200), nullable=True),
        sa.Column("silenced_by", sa.String(length=64), nullable=True),
        sa.Column("inhibited_by", sa.String(length=200), nullable=True),
        sa.Column("flapping", sa.Boolean(), nullable=False),
        sa.Column("transitions", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_alert_states")),
    )
    op.create_index(
        op.f("ix_alert_states_first_seen"), "alert_states", ["first_seen"], unique=False
    )
    op.create_index(op.f("ix_alert_states_group_key"), "alert_states", ["group_key"], unique=False)
    op.create_index(
        op.f("ix_alert_states_incident_id"), "alert_states", ["incident_id"], unique=False
    )
    op.create_index(op.f("ix_alert_states_status"), "alert_states", ["status"], unique=False)
    op.create_table(
        "silences",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silences")),
    )
    op.create_index(op.f("ix_silences_ends_at"), "silences", ["ends_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_silences_ends_at"), table_name="silences")
    op.drop_table("silences")
    op.drop_index(op.f("ix_alert_states_status"), table_name="alert_states")
    op.drop_index(op.f("ix_alert_states_incident_id"), table_name="alert_states")
    op.drop_index(op.f("ix_alert_states_group_key"), table_name="alert_states")
    op.drop_index(op.f("ix_alert_states_first_seen"), table_name="alert_states")
    op.drop_table("alert_states")
    op.drop_index("ix_alert_groups_due", table_name="alert_groups")
    op.drop_table("alert_groups")
