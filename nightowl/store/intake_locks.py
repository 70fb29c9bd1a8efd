"""Intake's PostgreSQL advisory locks: one per alert group, under one intake-wide lock taken
shared (batches of few groups) or exclusive (batches of many).

Row locks cannot cover groups that do not exist yet (two batches creating one group would
overwrite each other's counters), so intake locks their *keys* instead, for the length of the
transaction (``pg_advisory_xact_lock``). A batch locks the groups its alerts route to; a flush
locks its one group. Batches of different groups therefore run side by side, while two batches
of one group, and a flush racing a batch of its group, queue behind each other.

Fingerprints are not locked: an alert's group is a function of its labels under one config, so
two deliveries of one alert lock the same group and queue. What is left — two deliveries of one
*new* alert whose labels differ (a source whose fingerprint is not a hash of the labels) or that
two replicas group differently (during a roll that changes ``group_by``) — is caught when the
states are written (``intake_bulk``: the second insert finds the first's row, and its batch is
retried), so "new" stays exact without a lock per alert. States that exist are row-locked when
read (``SELECT … FOR UPDATE``).

Multi-granularity: every transaction first takes the intake-wide lock. With at most
``FINE_LIMIT`` groups it takes it *shared*, then one exclusive lock per group; with more it takes
it *exclusive* and no group locks (it waits for every other intake transaction, and they for it).
Either way two transactions with a group in common conflict. The limit is PostgreSQL's
``max_locks_per_transaction`` default (64): the lock table holds that many per connection, so a
batch of hundreds of groups must not take hundreds of locks; and a batch that spread covers most
groups anyway, so group locks would buy it little concurrency. Alertmanager sends one group per
notification, so a batch of a few notifications takes a few locks.

No deadlock among these locks: a transaction takes all of its locks in one statement, in one
global order (the intake-wide lock, then every group, by key), and takes none later. Keys use
PostgreSQL's two-``int4`` form, whose key space is separate from the one-``bigint`` locks of the
leader, audit chain and migrations. A hash collision between two keys only makes two unrelated
batches queue, never lets two of the same key pass.

SQLite needs none of this: ``BEGIN IMMEDIATE`` admits one writer at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from nightowl.domain import Silence
from nightowl.store import intake_reads as reads
from nightowl.store.intake_tables import SilenceRow
from nightowl.store.silences import silence_of

INTAKE_CLASS = 0x6E6F0000
"""First ``int4`` of the intake-wide lock ("no" + 0): below the others, so taken first."""
GROUP_CLASS = 0x6E6F0002
"""First ``int4`` of an alert group's lock."""
FINE_LIMIT = 64
"""Most group locks one transaction takes; beyond, the intake-wide lock exclusive (see above)."""

Lock = tuple[int, int, bool]
"""(class, key, shared) of one advisory lock."""


def lock_key(text: str) -> int:
    """A stable signed 32-bit key for ``text`` (BLAKE2b: fast, and no collisions by design)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), signed=True)


def intake_locks(groups: Iterable[str]) -> list[Lock]:
    """The locks of a batch of alerts routed to ``groups`` (or of a flush: one group), in the one
    order every transaction takes them in."""
    keys = {(GROUP_CLASS, lock_key(g)) for g in groups}
    if len(keys) > FINE_LIMIT:
        return [(INTAKE_CLASS, 0, False)]
    return [(INTAKE_CLASS, 0, True)] + [(c, k, False) for c, k in sorted(keys)]


def is_postgres(session: Session) -> bool:
    """Whether the session's database is PostgreSQL (SQLite needs no advisory locks)."""
    return session.get_bind().dialect.name == "postgresql"


def lock(session: Session, locks: Sequence[Lock]) -> None:
    """Take ``locks`` (from ``intake_locks``) until the transaction ends; a no-op on SQLite."""
    if locks and is_postgres(session):
        reads.take_locks(session, locks)


def lock_and_read_silences(session: Session, locks: Sequence[Lock], now: datetime) -> list[Silence]:
    """Take ``locks``, and read the silences in force at ``now`` (newest first), in one round
    trip on PostgreSQL.

    The silences come from the statement's snapshot, taken before the locks were granted: the
    same as reading them a moment earlier, which is all a silence ever promised (intake's locks
    never covered silences). Rows read after this call see what the locks' previous holders
    committed.
    """
    if locks and is_postgres(session):
        return reads.lock_and_read_silences(session, locks, now)
    live = (
        select(SilenceRow)
        .where(SilenceRow.ends_at > now)
        .order_by(SilenceRow.created_at.desc(), SilenceRow.id)
    )
    return [silence_of(r) for r in session.scalars(live)]
