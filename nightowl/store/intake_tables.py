"""Tables of alert intake: the latest state of every alert, the groups, and the silences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.store.tables import Base, UTCDateTime


class AlertStateRow(Base):
    """The latest state of one alert, by fingerprint: what it last said, its group, its incident,
    and whether it is silenced or flapping.
    """

    __tablename__ = "alert_states"
    # A group's firing states are read on every flush: both columns, or SQLite scans by status.
    __table_args__ = (Index("ix_alert_states_group_status", "group_key", "status"),)

    fingerprint: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    generator_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    group_key: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    silenced_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    inhibited_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    transitions: Mapped[list[str]] = mapped_column(JSON)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    received: Mapped[int] = mapped_column(Integer, default=1)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)


class AlertGroupRow(Base):
    """One alert group: its labels, its incident once flushed, when it is next due, and the
    notifications waiting for it.
    """

    __tablename__ = "alert_groups"
    __table_args__ = (Index("ix_alert_groups_due", "next_flush_at"),)

    group_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    incident_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    flushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_flush_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    repeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    updates: Mapped[int] = mapped_column(Integer, default=0)


class SilenceRow(Base):
    """One silence, its matchers as JSON."""

    __tablename__ = "silences"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    matchers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
