"""Stored silences: kept whole (matchers included), listed newest first or only those still in
force, and expired early without ever moving an end later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nightowl.domain import Matcher, MatchOp, Silence, SilenceState
from nightowl.errors import NotFoundError
from nightowl.store import IncidentStore
from nightowl.store.silences import SilenceStore
from tests.store.samples import T0


def silence(hours: float, created_minutes: int = 0) -> Silence:
    return Silence.new(
        (
            Matcher(name="service", op=MatchOp.EQ, value="checkout"),
            Matcher(name="severity", op=MatchOp.RE, value="warning|info"),
        ),
        T0,
        T0 + timedelta(hours=hours),
        "oncall",
        "planned migration",
        T0 + timedelta(minutes=created_minutes),
    )


def test_a_silence_is_read_back_as_it_was_stored(store: IncidentStore) -> None:
    silences = SilenceStore(store.engine)
    kept = silence(2)
    silences.add(kept)
    assert silences.list() == [kept]


def test_the_list_is_newest_first_and_since_drops_the_ended(store: IncidentStore) -> None:
    silences = SilenceStore(store.engine)
    short, long = silence(1, created_minutes=0), silence(5, created_minutes=10)
    silences.add(short)
    silences.add(long)
    assert [s.id for s in silences.list()] == [long.id, short.id]
    assert [s.id for s in silences.list(since=T0 + timedelta(hours=1))] == [long.id]


def test_expiring_ends_a_silence_now_and_never_extends_one(store: IncidentStore) -> None:
    silences = SilenceStore(store.engine)
    active, over = silence(4), silence(1)
    silences.add(active)
    silences.add(over)
    now = T0 + timedelta(hours=2)

    ended = silences.expire(active.id, now)
    assert ended.ends_at == now
    assert ended.state(now) is SilenceState.EXPIRED
    assert silences.expire(over.id, now).ends_at == over.ends_at  # already over: unchanged


def test_expiring_a_silence_that_has_not_started_moves_its_start_too(
    store: IncidentStore,
) -> None:
    silences = SilenceStore(store.engine)
    later = silence(3)
    silences.add(later)
    before = T0 - timedelta(hours=1)
    ended = silences.expire(later.id, before)
    assert (ended.starts_at, ended.ends_at) == (before, before)


def test_expiring_an_unknown_silence_says_how_to_list_them(store: IncidentStore) -> None:
    with pytest.raises(NotFoundError, match="nightowl silence list"):
        SilenceStore(store.engine).expire("nope", T0)
