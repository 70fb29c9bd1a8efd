"""Alert states keep the alert's link (``generatorURL``): the graph, the rule or the source's page.

The link was parsed and stored on an incident's alerts, but the state an alert joins its incident
from did not keep it, so it was lost on the way. Rows kept before this revision have no link.
The column belongs to the ``alert_states`` table, so this step follows ``0004_intake``, which
creates it (not ``0001``).

Revision ID: 0009_alert_links
Revises: 0004_intake
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_alert_links"
down_revision: str | None = "0004_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_states") as batch:
        batch.add_column(sa.Column("generator_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_states") as batch:
        batch.drop_column("generator_url")
