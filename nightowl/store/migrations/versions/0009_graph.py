"""The knowledge graph: entities and the edges between them, each edge per source.

Revision ID: 0009_graph
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_graph"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "graph_entities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_entities")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_graph_entities_kind_name")),
    )
    op.create_table(
        "graph_edges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("object_kind", sa.String(length=20), nullable=False),
        sa.Column("object", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_edges")),
        sa.UniqueConstraint(
            "kind",
            "subject_kind",
            "subject",
            "object_kind",
            "object",
            "source",
            name="uq_graph_edges_identity",
        ),
    )
    for column in ("kind", "subject", "object", "last_seen"):
        op.create_index(op.f(f"ix_graph_edges_{column}"), "graph_edges", [column], unique=False)


def downgrade() -> None:
    for column in ("kind", "subject", "object", "last_seen"):
        op.drop_index(op.f(f"ix_graph_edges_{column}"), table_name="graph_edges")
    op.drop_table("graph_edges")
    op.drop_table("graph_entities")
