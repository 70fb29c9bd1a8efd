"""Alert states: index (group_key, status) instead of group_key alone.

Flushing a group reads its firing states by group and status. With an index on ``status`` alone as
the more selective-looking choice, SQLite's planner scanned every firing state of every group on
each flush (an alert storm of 30,000 alerts: ~800 flushes × 30,000 rows); with both columns in one
index it reads only the group's.

Revision ID: 0006_intake_group_index
Revises: 0004_intake
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_intake_group_index"
down_revision: str | None = "0004_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_alert_states_group_status", "alert_states", ["group_key", "status"])
    op.drop_index("ix_alert_states_group_key", table_name="alert_states")


def downgrade() -> None:
    op.create_index("ix_alert_states_group_key", "alert_states", ["group_key"])
    op.drop_index("ix_alert_states_group_status", table_name="alert_states")
