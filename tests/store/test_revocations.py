"""Session revocations: a nonce revoked through one store is refused through another on the same
database (two replicas), and expired revocations are dropped. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from nightowl.store import IncidentStore
from nightowl.store.revocations import RevocationRow, RevocationStore


def test_a_revocation_is_seen_by_every_store_on_the_database(store: IncidentStore) -> None:
    one, two = RevocationStore(store.engine), RevocationStore(store.engine)
    assert not two.revoked("n-1")
    one.revoke("n-1", expires=2_000, now=1_000)
    one.revoke("n-1", expires=2_000, now=1_000)  # twice: still one row
    assert two.revoked("n-1")
    assert not two.revoked("n-2")


def test_expired_revocations_are_dropped_on_the_next_revoke(store: IncidentStore) -> None:
    revocations = RevocationStore(store.engine)
    revocations.revoke("old", expires=1_500, now=1_000)
    revocations.revoke("new", expires=5_000, now=2_000)  # "old" expired at 1_500
    with revocations.sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(RevocationRow)) == 1
    assert revocations.revoked("new")
    assert not revocations.revoked("old")
