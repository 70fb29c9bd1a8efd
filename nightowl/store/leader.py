"""Leadership of a cluster-wide singleton (the dispatcher) by a PostgreSQL advisory lock.

The lock is session-level (``pg_try_advisory_lock``) and held on a connection of its own, opened
outside the pool: it lasts exactly as long as that session. When the holder dies — SIGKILL, a lost
node, a cut network — PostgreSQL ends the session and releases the lock, and the next process that
tries takes it. Nothing is written, so a dead leader leaves nothing to clean up. On SQLite one
process owns the database and is always the leader.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Leadership:
    """Whether this process leads ``name``. ``hold()`` is called every cycle by one loop
    (never concurrently): it keeps the lock while the session lives and tries to take it otherwise;
    a database error means "not the leader now" and is retried on the next call.
    """

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.key = lock_key(name)
        self.name = name
        self._session: Connection | None = None
        self.always = engine.dialect.name != "postgresql"

    @property
    def leading(self) -> bool:
        """Whether the last ``hold()`` found this process the leader."""
        return self.always or self._session is not None

    def hold(self) -> bool:
        """Keep or take the lock; True while this process is the leader."""
        if self.always:
            return True
        try:
            if self._session is not None:
                self._session.execute(text("SELECT 1"))  # the session (and the lock) still lives
                return True
            return self._take()
        except SQLAlchemyError as exc:
            log.warning("leadership of %s lost or not taken: %s", self.name, exc)
            self.release()
            return False

    def _take(self) -> bool:
        session = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = session.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
        except SQLAlchemyError:
            session.invalidate()
            session.close()
            raise
        if not taken:
            session.close()
            return False
        # Out of the pool for good: returning it would release nothing, and a pooled reset could
        # hand the locked session to another use.
        session.detach()
        self._session = session
        log.info("leading %s (advisory lock %d)", self.name, self.key)
        return True

    def release(self) -> None:
        """Let go of the lock (closing the session releases it)."""
        if self._session is None:
            return
        session, self._session = self._session, None
        try:
            session.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except SQLAlchemyError as exc:  # a dead session holds nothing
            log.info("releasing %s on a broken session: %s", self.name, exc)
        finally:
            session.close()  # detached: this closes the database session itself
