"""Password logins that hold under a burst: the lockout is checked and counted around the hash.

An attempt first *reserves* a place under the user name's limit — failures in the window plus the
attempts still being hashed — and is refused at once, without hashing, when there is none; so of
a concurrent burst of 30 guesses only the first ``limit`` are evaluated, and a right password among
the rest is refused unheard. (Failures plus reservations never exceed the limit, so an attempt that
was let in is never overtaken by a lock while it is being hashed.) Every name is counted the same, whether or not
it exists (an unknown name is hashed against a dummy, as long as a real one), so neither the time
nor the answer tells which names exist. The names tracked are bounded (the oldest is forgotten).

Hashing (scrypt, 16 MiB a hash) runs in threads, at most ``workers`` at once: 40 concurrent logins
queue instead of allocating 40 × 16 MiB.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from starlette.concurrency import run_in_threadpool

from nightowl.ui.passwords import verify

LIMIT, WINDOW_SECONDS = 5, 300
MAX_NAMES = 10_000
HASH_WORKERS = 2
NAME_CHARS = 256
"""Names are tracked by their first 256 characters: a megabyte of name costs no more to track."""


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass
class _Tally:
    failures: list[float] = field(default_factory=list)
    pending: int = 0


class Logins:
    """Decides password logins and throttles failed ones, per user name (known or not).

    Concurrency: one event loop. The bookkeeping before and after the hash has no ``await`` in it,
    so it is atomic; the hash itself runs in a thread, ``workers`` at most at once. Per process:
    a restart forgets the failures (as it forgets nothing else that matters: sessions survive).
    """

    def __init__(
        self,
        check: Callable[[str | None, str], bool] = verify,
        *,
        limit: int = LIMIT,
        window_seconds: float = WINDOW_SECONDS,
        max_names: int = MAX_NAMES,
        workers: int = HASH_WORKERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = check
        self.limit, self.window, self.max_names = limit, window_seconds, max_names
        self._clock = clock
        self._workers = workers
        self._hashing: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._tallies: OrderedDict[str, _Tally] = OrderedDict()

    async def attempt(self, name: str, stored: str | None, password: str) -> Outcome:
        """Check ``password`` against ``stored`` (None: no such user) for ``name``."""
        key = name[:NAME_CHARS]
        tally = self._reserve(key)
        if tally is None:
            return Outcome.LOCKED
        try:
            async with self._semaphore():
                right = await run_in_threadpool(self._check, stored, password)
        finally:
            tally.pending -= 1
        if not right or stored is None:
            tally.failures.append(self._clock())
            self._tallies.pop(key, None)
            self._tallies[key] = tally  # the most recently failed name is forgotten last
            return Outcome.WRONG
        tally.failures.clear()
        return Outcome.OK

    def locked(self, name: str) -> bool:
        """Whether an attempt for ``name`` would be refused now without being evaluated."""
        tally = self._tallies.get(name[:NAME_CHARS])
        return tally is not None and self._recent(tally) + tally.pending >= self.limit

    def clear(self) -> None:
        """Forget every failure (an administrator's unlock; tests)."""
        self._tallies.clear()

    def _semaphore(self) -> asyncio.Semaphore:
        """The hashing semaphore of the running loop (a semaphore belongs to one loop)."""
        loop = asyncio.get_running_loop()
        if self._hashing is None or self._hashing[0] is not loop:
            self._hashing = (loop, asyncio.Semaphore(self._workers))
        return self._hashing[1]

    def _reserve(self, key: str) -> _Tally | None:
        tally = self._tallies.get(key)
        if tally is None:
            self._make_room()
            tally = self._tallies[key] = _Tally()
        if self._recent(tally) + tally.pending >= self.limit:
            return None
        tally.pending += 1
        return tally

    def _recent(self, tally: _Tally) -> int:
        cutoff = self._clock() - self.window
        tally.failures[:] = [t for t in tally.failures if t > cutoff]
        return len(tally.failures)

    def _make_room(self) -> None:
        """Drop names with nothing recent, then the least recently failed idle ones."""
        if len(self._tallies) < self.max_names:
            return
        for key in [k for k, t in self._tallies.items() if not t.pending and not self._recent(t)]:
            del self._tallies[key]
        while len(self._tallies) >= self.max_names:
            idle = next((k for k, t in self._tallies.items() if not t.pending), None)
            if idle is None:
                return
            del self._tallies[idle]
