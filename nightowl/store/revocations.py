"""Logged-out UI sessions, in the database: a cookie revoked on one replica is refused by every
other at its next request (the session key itself is configuration, not a row: see
docs/deploy.md, "Secrets").

A row holds a session's random nonce until the cookie would have expired; expired rows are
dropped on every revocation, so the table holds at most the sessions of one lifetime.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Engine, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.store.sessions import Sessions, put_row
from nightowl.store.tables import Base


class RevocationRow(Base):
    """One revoked session: its nonce and when its cookie expires (Unix seconds)."""

    __tablename__ = "ui_revocations"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires: Mapped[int] = mapped_column(BigInteger, index=True)


class RevocationStore:
    """Revokes and checks session nonces. Thread-safe; every check reads the database (no cache),
    so a logout anywhere takes effect everywhere. StoreError when the database cannot be used."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def revoke(self, nonce: str, expires: int, now: float) -> None:
        """Refuse the session with ``nonce`` until ``expires``; drop the ones expired by ``now``."""
        with self.sessions.write() as session:
            session.execute(delete(RevocationRow).where(RevocationRow.expires < int(now)))
            put_row(session, RevocationRow, {"nonce": nonce}, {"expires": expires})

    def revoked(self, nonce: str) -> bool:
        """True when the session with ``nonce`` was logged out."""
        query = select(RevocationRow.nonce).where(RevocationRow.nonce == nonce)
        with self.sessions.read() as session:
            return session.scalar(query) is not None
