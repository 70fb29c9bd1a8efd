"""The knowledge graph's tables: entities and the edges between them, each edge per source.

``graph_entities`` holds one row per (kind, name) with what is known about it (``attrs``, merged on
every write). ``graph_edges`` holds one row per (kind, subject, object, source): two sources saying
the same thing are two edges, each with its provenance and its first and last sighting. Events
(deploys, incidents, actions, decisions) are ``record``ed and accumulate; what a source reports as
its whole current view (the owners in CODEOWNERS, a cluster's call graph) is ``sync``ed: its
edges of those kinds that the source no longer reports are removed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Engine,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    delete,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from nightowl.domain.graph import Edge, EdgeKind, EntityKind, Fact, Node
from nightowl.store.sessions import Sessions, upsert
from nightowl.store.tables import Base, UTCDateTime

EDGES_READ = 5000
"""The most edges one read returns: bounds a query about a hub service."""
EVENTS = (EntityKind.DEPLOY, EntityKind.INCIDENT, EntityKind.ACTION, EntityKind.DECISION)
"""The entities that exist only through their edges, removed with the last one."""
BATCH = 500
"""Facts written per executemany round."""
EDGE_KEY = ("kind", "subject_kind", "subject", "object_kind", "object", "source")
FORGOTTEN = "(forgotten)"
"""What a forgotten person's name becomes in the deploys and decisions that named them."""


class GraphEntityRow(Base):
    """One entity of the graph; ``attrs`` grows as sources tell more about it."""

    __tablename__ = "graph_entities"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(500))
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class GraphEdgeRow(Base):
    """One edge as one source said it, with provenance and first and last sighting."""

    __tablename__ = "graph_edges"
    __table_args__ = (
        UniqueConstraint(
            "kind",
            "subject_kind",
            "subject",
            "object_kind",
            "object",
            "source",
            name="uq_graph_edges_identity",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(500), index=True)
    object_kind: Mapped[str] = mapped_column(String(20))
    object: Mapped[str] = mapped_column(String(500), index=True)
    source: Mapped[str] = mapped_column(String(200))
    provenance: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class GraphStore:
    """Write and read the knowledge graph. Thread-safe; each call is one short transaction;
    StoreError when the database cannot be used. Recording is idempotent: a fact seen again moves
    its ``last_seen`` and keeps its ``first_seen``.
    """

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def record(self, facts: Iterable[Fact]) -> int:
        """Store every fact (and its two entities); returns how many facts were written."""
        listed = list(facts)
        with self.sessions.write() as session:
            _put_facts(session, listed)
        return len(listed)

    def sync(
        self, source: str, kinds: Collection[EdgeKind], facts: Sequence[Fact], at: datetime
    ) -> int:
        """Make ``source``'s edges of ``kinds`` exactly ``facts`` (its whole current view):
        record them and remove the ones it no longer reports. Returns how many were removed."""
        with self.sessions.write() as session:
            _put_facts(session, [f.model_copy(update={"seen": at}) for f in facts])
            stale = delete(GraphEdgeRow).where(
                GraphEdgeRow.source == source,
                GraphEdgeRow.kind.in_([str(k) for k in kinds]),
                GraphEdgeRow.last_seen < at,
            )
            return int(session.execute(stale).rowcount or 0)  # type: ignore[attr-defined]

    def edges(
        self,
        kinds: Collection[EdgeKind] = (),
        *,
        touching: Node | None = None,
        since: datetime | None = None,
        limit: int = EDGES_READ,
        attrs: bool = True,
    ) -> list[Edge]:
        """Edges of ``kinds`` (all when empty), touching ``touching`` at either end, last seen at
        or after ``since``; newest sighting first. ``attrs=False`` skips reading the ends'
        attributes (a walk needs only names)."""
        query = select(GraphEdgeRow)
        if kinds:
            query = query.where(GraphEdgeRow.kind.in_([str(k) for k in kinds]))
        if touching is not None:
            query = query.where(
                or_(
                    (GraphEdgeRow.subject_kind == touching.kind)
                    & (GraphEdgeRow.subject == touching.name),
                    (GraphEdgeRow.object_kind == touching.kind)
                    & (GraphEdgeRow.object == touching.name),
                )
            )
        if since is not None:
            query = query.where(GraphEdgeRow.last_seen >= since)
        query = query.order_by(GraphEdgeRow.last_seen.desc(), GraphEdgeRow.id.desc()).limit(limit)
        with self.sessions.read() as session:
            rows = list(session.scalars(query))
            nodes = _nodes(session, rows) if attrs else {}
        return [_edge(row, nodes) for row in rows]

    def forget(self, name: str) -> int:
        """Remove a person or team: every edge to or from them, their entity, and their name
        from the deploys they made and the decisions they took (replaced by ``FORGOTTEN``).
        Returns how many edges were removed."""
        people = [str(EntityKind.PERSON), str(EntityKind.TEAM)]
        theirs = or_(
            GraphEdgeRow.subject_kind.in_(people) & (GraphEdgeRow.subject == name),
            GraphEdgeRow.object_kind.in_(people) & (GraphEdgeRow.object == name),
        )
        with self.sessions.write() as session:
            linked = {
                (r.subject_kind, r.subject)
                for r in session.scalars(select(GraphEdgeRow).where(theirs))
            }
            linked |= {
                (r.object_kind, r.object)
                for r in session.scalars(select(GraphEdgeRow).where(theirs))
            }
            for row in _rows(session, linked - {(k, name) for k in people}):
                row.attrs = {k: FORGOTTEN if v == name else v for k, v in row.attrs.items()}
            removed = int(session.execute(delete(GraphEdgeRow).where(theirs)).rowcount or 0)  # type: ignore[attr-defined]
            session.execute(
                delete(GraphEntityRow).where(
                    GraphEntityRow.kind.in_(people), GraphEntityRow.name == name
                )
            )
            return removed

    def prune(self, kinds: Collection[EdgeKind], before: datetime) -> int:
        """Remove the edges of ``kinds`` last seen before ``before`` (the retention of events),
        and the deploys, incidents, actions and decisions no edge names any more; how many
        edges."""
        with self.sessions.write() as session:
            old = delete(GraphEdgeRow).where(
                GraphEdgeRow.kind.in_([str(k) for k in kinds]), GraphEdgeRow.last_seen < before
            )
            removed = int(session.execute(old).rowcount or 0)  # type: ignore[attr-defined]
            named = select(GraphEdgeRow.id).where(
                or_(
                    (GraphEdgeRow.subject_kind == GraphEntityRow.kind)
                    & (GraphEdgeRow.subject == GraphEntityRow.name),
                    (GraphEdgeRow.object_kind == GraphEntityRow.kind)
                    & (GraphEdgeRow.object == GraphEntityRow.name),
                )
            )
            session.execute(
                delete(GraphEntityRow).where(
                    GraphEntityRow.kind.in_([str(k) for k in EVENTS]), ~named.exists()
                )
            )
            return removed

    def pairs(self, kind: EdgeKind, limit: int = 200_000) -> list[tuple[str, str]]:
        """(subject, object) of every edge of ``kind``, any source, at most ``limit``: what a walk
        over the graph needs, without building an Edge per row."""
        query = (
            select(GraphEdgeRow.subject, GraphEdgeRow.object)
            .where(GraphEdgeRow.kind == str(kind))
            .distinct()
            .limit(limit)
        )
        with self.sessions.read() as session:
            return [(a, b) for a, b in session.execute(query)]

    def node(self, kind: EntityKind, name: str) -> Node | None:
        """The entity, with its attributes; None when the graph has never seen it."""
        with self.sessions.read() as session:
            row = session.scalars(
                select(GraphEntityRow).where(
                    GraphEntityRow.kind == kind, GraphEntityRow.name == name
                )
            ).first()
        return None if row is None else Node(kind=kind, name=row.name, attrs=dict(row.attrs))


def _put_facts(session: Session, facts: Sequence[Fact]) -> None:
    """Every fact and its two entities, in a few statements per batch (executemany)."""
    for at in range(0, len(facts), BATCH):
        batch = facts[at : at + BATCH]
        _put_nodes(session, [(n, f.seen) for f in batch for n in (f.subject, f.object)])
        _put_edges(session, batch)


def _put_edges(session: Session, facts: Sequence[Fact]) -> None:
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    for fact in facts:
        key = (str(fact.kind), str(fact.subject.kind), fact.subject.name,
               str(fact.object.kind), fact.object.name, fact.source)  # fmt: skip
        known = rows.get(key)
        if known is None or fact.seen >= known["last_seen"]:
            first = fact.seen if known is None else min(known["first_seen"], fact.seen)
            rows[key] = dict(zip(EDGE_KEY, key, strict=True)) | {
                "provenance": fact.provenance, "attrs": fact.attrs,
                "first_seen": first, "last_seen": fact.seen,
            }  # fmt: skip
    insert = upsert(session, GraphEdgeRow)
    # last_seen only moves forward: an older sighting replayed late keeps the newer one
    latest = _later(GraphEdgeRow.last_seen, insert.excluded.last_seen)
    statement = insert.on_conflict_do_update(
        index_elements=list(EDGE_KEY),
        set_={
            "provenance": insert.excluded.provenance,
            "attrs": insert.excluded.attrs,
            "last_seen": latest,
        },
    )
    session.execute(statement, list(rows.values()))


def _put_nodes(session: Session, seen: Sequence[tuple[Node, datetime]]) -> None:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for node, at in seen:
        key = (str(node.kind), node.name)
        row = merged.setdefault(
            key, {"kind": key[0], "name": key[1], "attrs": {}, "first_seen": at, "last_seen": at}
        )
        row["attrs"] |= node.attrs
        row["first_seen"], row["last_seen"] = min(row["first_seen"], at), max(row["last_seen"], at)
    insert = upsert(session, GraphEntityRow)
    latest = _later(GraphEntityRow.last_seen, insert.excluded.last_seen)
    statement = insert.on_conflict_do_update(
        index_elements=["kind", "name"], set_={"last_seen": latest}
    )
    session.execute(statement, list(merged.values()))
    told = {k: v["attrs"] for k, v in merged.items() if v["attrs"]}
    for stored in _rows(session, set(told)):  # attributes merge: a source adds, never erases
        combined = {**stored.attrs, **told[(stored.kind, stored.name)]}
        if combined != stored.attrs:
            stored.attrs = combined


def _rows(session: Session, keys: set[tuple[str, str]]) -> list[GraphEntityRow]:
    names = sorted({name for _, name in keys})
    found = session.scalars(select(GraphEntityRow).where(GraphEntityRow.name.in_(names)))
    return [row for row in found if (row.kind, row.name) in keys]


def _later(column: Any, incoming: Any) -> Any:
    return case((incoming > column, incoming), else_=column)


def _nodes(session: Session, rows: Sequence[GraphEdgeRow]) -> dict[tuple[str, str], Node]:
    wanted = {(r.subject_kind, r.subject) for r in rows} | {(r.object_kind, r.object) for r in rows}
    names = {name for _, name in wanted}
    out: dict[tuple[str, str], Node] = {}
    batch = sorted(names)
    for at in range(0, len(batch), 500):
        found = session.scalars(
            select(GraphEntityRow).where(GraphEntityRow.name.in_(batch[at : at + 500]))
        )
        for row in found:
            if (row.kind, row.name) in wanted:
                out[(row.kind, row.name)] = Node(
                    kind=EntityKind(row.kind), name=row.name, attrs=dict(row.attrs)
                )
    return out


def _edge(row: GraphEdgeRow, nodes: dict[tuple[str, str], Node]) -> Edge:
    def node(kind: str, name: str) -> Node:
        return nodes.get((kind, name)) or Node(kind=EntityKind(kind), name=name)

    return Edge(
        kind=EdgeKind(row.kind),
        subject=node(row.subject_kind, row.subject),
        object=node(row.object_kind, row.object),
        source=row.source,
        provenance=row.provenance,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        attrs=dict(row.attrs),
    )
