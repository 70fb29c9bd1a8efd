"""Leadership by a PostgreSQL advisory lock: one holder at a time, handed over when the holder's
process dies (SIGKILL: no code of it runs, PostgreSQL ends its session). A real PostgreSQL and a
real second process; on SQLite the one process always leads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nightowl.store.database import create_engine_for
from nightowl.store.leader import Leadership, lock_key

HOLDER = textwrap.dedent(
    """
    import sys, time
    from nightowl.store.database import create_engine_for
    from nightowl.store.leader import Leadership
    leader = Leadership(create_engine_for(sys.argv[1]), "test.singleton")
    print("leading" if leader.hold() else "waiting", flush=True)
    time.sleep(600)
    """
)


def test_the_key_is_stable_and_fits_a_bigint() -> None:
    assert lock_key("nightowl.dispatcher") == lock_key("nightowl.dispatcher")
    assert lock_key("a") != lock_key("b")
    assert -(2**63) <= lock_key("nightowl.dispatcher") < 2**63


def test_on_sqlite_the_one_process_leads(tmp_path: Path) -> None:
    leader = Leadership(create_engine_for(f"sqlite:///{tmp_path / 'x.sqlite'}"), "test.singleton")
    assert leader.hold()
    assert leader.leading


@pytest.mark.postgres
def test_one_holder_at_a_time_and_released_on_release(postgres_url: str) -> None:
    first = Leadership(create_engine_for(postgres_url), "test.singleton")
    second = Leadership(create_engine_for(postgres_url), "test.singleton")
    assert first.hold()
    assert first.hold()  # kept, not taken twice
    assert not second.hold()
    assert not second.leading
    first.release()
    assert second.hold()
    assert not first.hold()


@pytest.mark.postgres
def test_a_killed_holder_hands_over_to_the_next_that_tries(postgres_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, postgres_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "leading"
        ours = Leadership(create_engine_for(postgres_url), "test.singleton")
        assert not ours.hold()  # the other process leads
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        # PostgreSQL ends the dead session (its socket closed), which releases the lock.
        taken = False
        for _ in range(300):
            if ours.hold():
                taken = True
                break
            time.sleep(0.1)
        assert taken
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)
