"""The audit trail signed with a key: ``audit_records.key_id`` names the key of each record.

Rows that predate it keep ``key_id`` NULL: they were linked by the old unkeyed SHA-256 chain.
Alembic does not hold the key (it is kept out of the database), so this step only adds the column;
the store re-chains the NULL rows under the key the first time it is opened with one, and appends
an ``audit.rechained`` record saying how many rows, the old head and whether the old chain was
intact (``nightowl.store.audit_rechain``).

Revision ID: 0008_audit_hmac
Revises: 0003_remediation
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audit_hmac"
down_revision: str | None = "0003_remediation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_records") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_column("key_id")
