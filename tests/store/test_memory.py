"""Incident memory on SQLite (FTS5 bm25) and PostgreSQL (tsvector, ts_rank): remembered once,
found by a structural match then full-text rank, corrected by feedback, forgotten on request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from nightowl.domain.memory import Feedback, Memory, PastAction, Signature, Verdict
from nightowl.store.memory import MemoryStore
from tests.store.samples import T0


@pytest.fixture
def memory(database_url: str) -> Iterator[MemoryStore]:
    opened = MemoryStore.open(database_url)
    yield opened
    opened.close()


def past(
    incident_id: str,
    days: int,
    *,
    alert: str = "HighErrorRate",
    service: str = "checkout",
    evidence: tuple[str, ...] = (),
    kind: str = "bad_deploy",
) -> Memory:
    return Memory(
        incident_id=incident_id,
        title=f"{alert} on {service}",
        opened_at=T0 + timedelta(days=days),
        signature=Signature(
            alertnames=(alert,), services=(service,), category="errors", evidence=evidence
        ),
        diagnosed_kind=kind,
        diagnosed_service=service,
        actions=(PastAction(kind="rollback", service=service, status="succeeded", dry_run=False),),
        recovered=True,
    )


def current() -> Signature:
    return Signature(
        alertnames=("HighErrorRate",),
        services=("checkout",),
        category="errors",
        evidence=("deploy", "template connection refused to payments"),
    )


def test_a_memory_is_stored_once_and_read_back_with_its_feedback(memory: MemoryStore) -> None:
    one = past("inc-1", 0, evidence=("deploy",))
    memory.remember(one, T0)
    memory.add_feedback(
        Feedback(incident_id="inc-1", author="alice", at=T0, verdict=Verdict.CONFIRM)
    )
    memory.remember(one, T0 + timedelta(minutes=1))  # a re-run report stage replaces it
    assert memory.count() == 1
    got = memory.get("inc-1")
    assert got is not None
    assert got.signature == one.signature
    assert [f.author for f in got.feedback] == ["alice"]
    assert got.proven
    assert got.fix == "rollback"
    assert memory.get("inc-2") is None


def test_similar_needs_a_structural_match_then_ranks_by_full_text(memory: MemoryStore) -> None:
    memory.remember(
        past("close", 1, evidence=("deploy", "template connection refused to payments")), T0
    )
    memory.remember(past("far", 2, evidence=("cpu",)), T0)
    # The same words under another alert name, or another service, are not the same trouble.
    memory.remember(
        past("other-alert", 3, alert="DiskFull", evidence=("template connection refused",)), T0
    )
    memory.remember(
        past("other-service", 4, service="search", evidence=("deploy", "connection refused")), T0
    )
    found = memory.similar(current(), exclude="self")
    assert [m.memory.incident_id for m in found] == ["close", "far"]
    assert found[0].score > found[1].score


def test_similar_excludes_the_incident_itself_and_is_bounded(memory: MemoryStore) -> None:
    for n in range(4):
        memory.remember(past(f"inc-{n}", n), T0)
    found = memory.similar(current(), exclude="inc-3", limit=2)
    assert len(found) == 2
    assert "inc-3" not in {m.memory.incident_id for m in found}
    assert memory.similar(Signature(alertnames=("Unknown",))) == []


def test_a_correction_changes_the_recalled_cause(memory: MemoryStore) -> None:
    memory.remember(past("inc-1", 1, kind="memory_leak"), T0)
    assert memory.similar(current())[0].memory.cause == ("memory_leak", "checkout")
    memory.add_feedback(
        Feedback(
            incident_id="inc-1",
            author="alice",
            at=T0 + timedelta(days=2),
            verdict=Verdict.CORRECT,
            kind="connection_pool_exhaustion",
            service="checkout",
        )
    )
    recalled = memory.similar(current())[0].memory
    assert recalled.cause == ("connection_pool_exhaustion", "checkout")
    assert recalled.correction is not None
    assert recalled.correction.author == "alice"


def test_forget_by_incident_person_and_age(memory: MemoryStore) -> None:
    for i, days in enumerate((0, 100, 200)):
        memory.remember(past(f"inc-{i}", days), T0)
        memory.add_feedback(
            Feedback(incident_id=f"inc-{i}", author="bob", at=T0, verdict=Verdict.CONFIRM)
        )
    memory.add_feedback(
        Feedback(incident_id="inc-2", author="alice", at=T0, verdict=Verdict.CONFIRM)
    )
    assert memory.forget_incident("inc-1") == 2  # the memory and bob's feedback
    assert memory.forget_person("bob") == 2
    assert [f.author for f in memory.feedback("inc-2")] == ["alice"]
    assert memory.forget_before(T0 + timedelta(days=150)) == 1  # inc-0
    assert memory.count() == 1
    assert [m.memory.incident_id for m in memory.similar(current())] == ["inc-2"]
    assert memory.forget_incident("inc-0") == 0
