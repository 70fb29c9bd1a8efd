"""What a replica writes that the others must see, moved off the local disk: report documents
(HTML, postmortem model, chart snapshot), logged-out UI sessions and the drivers' ledger of
applied actions.

Revision ID: 0010_shared_state
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_shared_state"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_documents",
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "name", name=op.f("pk_report_documents")),
    )
    op.create_table(
        "ui_revocations",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_ui_revocations")),
    )
    op.create_index(op.f("ix_ui_revocations_expires"), "ui_revocations", ["expires"], unique=False)
    op.create_table(
        "action_ledger",
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_action_ledger")),
    )


def downgrade() -> None:
    op.drop_table("action_ledger")
    op.drop_index(op.f("ix_ui_revocations_expires"), table_name="ui_revocations")
    op.drop_table("ui_revocations")
    op.drop_table("report_documents")
