"""The action drivers' ledger of applied actions in the database: the result of every write by
idempotency key, per driver, so that a workflow recovered on another worker finds what the first
worker already did and does not act twice (``actions/ledger.py`` reads it).

One row per (scope, key); a result put again replaces the first. Thread- and process-safe: each
put is one upsert statement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, String, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.domain import ActionResult
from nightowl.store.sessions import Sessions, put_row
from nightowl.store.tables import Base, UTCDateTime


class LedgerRow(Base):
    """One applied action: the driver's scope (``ssh-prod-ledger``), the idempotency key, the
    result."""

    __tablename__ = "action_ledger"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerStore:
    """Reads and writes applied results of one ``scope``. StoreError when the database cannot be
    used."""

    def __init__(self, engine: Engine, scope: str) -> None:
        self.sessions, self.scope = Sessions(engine), scope

    def get(self, key: str) -> ActionResult | None:
        """The result recorded under ``key``; None when that key never acted."""
        query = select(LedgerRow.result).where(LedgerRow.scope == self.scope, LedgerRow.key == key)
        with self.sessions.read() as session:
            found = session.scalar(query)
        return None if found is None else ActionResult.model_validate(found)

    def put(self, result: ActionResult, at: datetime) -> None:
        """Record ``result`` under its idempotency key (replaces an earlier one)."""
        keys = {"scope": self.scope, "key": result.idempotency_key}
        values = {"result": result.model_dump(mode="json"), "stored_at": at}
        with self.sessions.write() as session:
            put_row(session, LedgerRow, keys, values)
