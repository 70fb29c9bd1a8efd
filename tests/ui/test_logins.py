"""Password logins under a burst: the lockout holds around the hash, unknown names are throttled
alike, and hashing runs a bounded number at a time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from nightowl.ui.logins import Logins, Outcome
from nightowl.ui.passwords import hash_password, pbkdf2_hash, verify

RIGHT = "correct horse battery"
STORED = pbkdf2_hash(RIGHT, iterations=20_000)


class Counting:
    """The real ``verify``, counting how many run at once and in all."""

    def __init__(self) -> None:
        self.calls = self.running = self.most = 0
        self._lock = threading.Lock()

    def __call__(self, stored: str | None, password: str) -> bool:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return verify(stored, password)
        finally:
            with self._lock:
                self.running -= 1


def test_a_burst_of_29_wrong_passwords_and_the_right_one_does_not_let_it_in() -> None:
    check = Counting()
    logins = Logins(check)

    async def burst() -> list[Outcome]:
        guesses = [f"guess-{i}" for i in range(29)] + [RIGHT]
        return await asyncio.gather(*(logins.attempt("alice", STORED, g) for g in guesses))

    outcomes = asyncio.run(burst())

    assert outcomes[-1] is Outcome.LOCKED
    assert outcomes.count(Outcome.WRONG) == 5
    assert check.calls == 5  # only the first five were evaluated at all
    assert logins.locked("alice")


def test_a_right_password_among_the_first_attempts_is_let_in() -> None:
    logins = Logins(verify, limit=3)

    async def burst() -> list[Outcome]:
        return await asyncio.gather(
            logins.attempt("alice", STORED, RIGHT),
            *(logins.attempt("alice", STORED, f"guess-{i}") for i in range(4)),
        )

    outcomes = asyncio.run(burst())

    # Within the limit (3): the right one and two guesses are evaluated, the rest refused.
    assert outcomes == [Outcome.OK, Outcome.WRONG, Outcome.WRONG, Outcome.LOCKED, Outcome.LOCKED]


def _sequence(logins: Logins, name: str, stored: str | None) -> list[Outcome]:
    async def tries() -> list[Outcome]:
        return [await logins.attempt(name, stored, "wrong") for _ in range(7)]

    return asyncio.run(tries())


def test_unknown_names_are_throttled_exactly_like_known_ones() -> None:
    logins = Logins(verify)

    known = _sequence(logins, "alice", STORED)
    unknown = _sequence(logins, "nobody-at-all", None)

    assert known == unknown == [Outcome.WRONG] * 5 + [Outcome.LOCKED] * 2


def test_the_lock_lifts_after_the_window_and_a_success_clears_the_count() -> None:
    now = [1000.0]
    logins = Logins(verify, clock=lambda: now[0])
    _sequence(logins, "alice", STORED)
    assert logins.locked("alice")

    now[0] += 301
    assert asyncio.run(logins.attempt("alice", STORED, RIGHT)) is Outcome.OK
    assert not logins.locked("alice")


def test_no_more_than_two_scrypt_hashes_run_at_once_for_40_concurrent_logins() -> None:
    check = Counting()
    logins = Logins(check)
    stored = hash_password(RIGHT)  # scrypt: 16 MiB each while it runs

    async def crowd() -> list[Outcome]:
        return await asyncio.gather(
            *(logins.attempt(f"user-{i}", stored, RIGHT) for i in range(40))
        )

    outcomes = asyncio.run(crowd())

    assert outcomes == [Outcome.OK] * 40
    assert check.calls == 40
    assert check.most <= 2


def test_the_names_tracked_are_bounded() -> None:
    logins = Logins(verify, max_names=3)
    for i in range(10):
        _sequence(logins, f"name-{i}", None)
    assert len(logins._tallies) <= 3
    assert logins.locked("name-9")  # the most recent are kept


def test_a_megabyte_name_is_tracked_by_its_prefix() -> None:
    logins = Logins(verify)
    name: Callable[[str], str] = lambda tail: "x" * 1_000_000 + tail  # noqa: E731
    _sequence(logins, name("a"), None)
    assert logins.locked(name("b"))
    assert max(len(k) for k in logins._tallies) == 256
