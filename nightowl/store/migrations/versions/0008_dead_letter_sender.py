"""Dead letters record who sent them (the authenticated sender), so replay can check it.

Rows kept before this revision have no sender: they may have come from anyone, and replay
refuses them.

Revision ID: 0008_dead_letter_sender
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_dead_letter_sender"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(sa.Column("sender", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_column("sender")
