"""The tables of the incident spine, as SQLAlchemy 2 declarative models.

Enumerations are stored as plain strings (no database enum types to migrate). Stage outputs that
are only ever read whole live in a ``body`` JSON column holding the domain model's
``model_dump(mode="json")``, next to the few columns worth querying. Every timestamp is an aware
UTC datetime on both backends (see UTCDateTime).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nightowl.domain import utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite keeps no offset, so UTC is restored on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Written as UTC (an aware value in any zone is converted)."""
        return None if value is None else utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as an aware UTC datetime, whatever the backend kept."""
        return None if value is None else utc(value)


class Base(DeclarativeBase):
    """The declarative base of every table, with one naming convention so that constraint names
    are the same on SQLite and PostgreSQL and migrations can name what they drop.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _incident_fk() -> Mapped[str]:
    return mapped_column(String(200), ForeignKey("incidents.id", ondelete="CASCADE"), index=True)


class IncidentRow(Base):
    """The incident spine: one row per incident, with its one-per-incident results (triage,
    diagnosis, verification, report) as JSON. ``correlation_key`` + ``status`` is indexed because
    intake looks up the open incident of a key on every notification.
    """

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_correlation_key_status", "correlation_key", "status"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    correlation_key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True)
    service: Mapped[str | None] = mapped_column(String(200), index=True)
    severity: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    triage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    diagnosis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report_path: Mapped[str | None] = mapped_column(Text)


class AlertRow(Base):
    """One alert notification attached to an incident; a notification with the same content hash
    is stored once per incident (a redelivery is a duplicate, not a new row).
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("incident_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    fingerprint: Mapped[str] = mapped_column(String(200), index=True)
    content_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    generator_url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StageRunRow(Base):
    """One attempt of one stage on an incident; unique per (incident, stage, attempt), so a
    re-run attempt replaces its record.
    """

    __tablename__ = "stage_runs"
    __table_args__ = (UniqueConstraint("incident_id", "stage", "attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    stage: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class EvidenceRow(Base):
    """One piece of evidence, in the order analysis produced it; ids are unique per incident."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("incident_id", "evidence_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    position: Mapped[int] = mapped_column(Integer)
    evidence_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class HypothesisRow(Base):
    """One hypothesis, in the order analysis produced it."""

    __tablename__ = "hypotheses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    service: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class PlanItemRow(Base):
    """One planned action of the incident's current plan, in order."""

    __tablename__ = "plan_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    position: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    service: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class DecisionRow(Base):
    """The gate's decision on one planned action, matched to it by idempotency key."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    position: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200), index=True)
    verdict: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActionRow(Base):
    """One executed (or dry-run) action. The idempotency key is unique across all incidents: it
    is what makes a retried step find the write it already made instead of acting twice.
    """

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    position: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(100))
    service: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class NotificationRow(Base):
    """One message sent to one channel about an incident, delivered or not, in sending order."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = _incident_fk()
    position: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(100))
    ok: Mapped[bool] = mapped_column(Boolean)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class DeadLetterRow(Base):
    """An inbound body nightowl could not use, kept whole (body, headers, content type) with the
    reason, so it can be fixed and replayed; ``replayed_at`` marks one that was.
    """

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reason: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sender: Mapped[str | None] = mapped_column(String(200))
