"""The use cases of incident memory: similar incidents, human feedback, forgetting.

API, UI, CLI and Slack call these through ``Records.memory``. Reading similar incidents takes
``Act.READ``; feedback (confirm or correct a diagnosis, rate an action) takes
``Act.FEEDBACK``; forgetting takes ``Act.FORGET`` (memory holds people's names, and deleting
them is an admin's call). Every write is audited. See docs/memory.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from nightowl.app.access import Act, Principal
from nightowl.domain.memory import Feedback, Match, Verdict, signature_of
from nightowl.errors import InputError

if TYPE_CHECKING:
    from nightowl.app.records import Records


@dataclass(frozen=True)
class Forget:
    """What to forget: one incident, everything one person said, or what is older than a span.
    Exactly one must be given."""

    incident_id: str | None = None
    person: str | None = None
    older_than_days: int | None = None


class Memories:
    """Incident memory's use cases over ``records`` (its stores, clock, access guard, audit)."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self.store = records.stores.memory

    def similar(self, incident_id: str, *, limit: int | None = None) -> list[Match]:
        """Past incidents like ``incident_id`` (NotFoundError when it does not exist): by its
        remembered signature once finished, else by what it shows so far."""
        incident = self.records.incident(incident_id)
        remembered = self.store.get(incident_id)
        signature = remembered.signature if remembered else signature_of(incident)
        size = limit or self.records.settings.memory.limit
        return self.store.similar(signature, exclude=incident_id, limit=size)

    def said(self, incident_id: str) -> list[Feedback]:
        """Every human judgement on one incident, oldest first."""
        return self.store.feedback(incident_id)

    def feedback(self, by: Principal, feedback: Feedback) -> Feedback:
        """Record a human's word on an incident (``Act.FEEDBACK``): the author is ``by``, the
        time now. InputError for a correction without a cause or a rating without an action;
        NotFoundError for an unknown incident. Audited (``memory.feedback``)."""
        self.records.guard(by, Act.FEEDBACK, incident_id=feedback.incident_id)
        self.records.incident(feedback.incident_id)
        _check(feedback)
        kept = feedback.model_copy(update={"author": by.name, "at": self.records.clock.now()})
        self.store.add_feedback(kept)
        data = kept.model_dump(mode="json", exclude={"incident_id", "author", "at"})
        self.records.audit(
            "memory.feedback", data | {"via": by.via}, actor=by.name, incident_id=kept.incident_id
        )
        return kept

    def forget(self, by: Principal, what: Forget) -> int:
        """Delete from memory (``Act.FORGET``); how many rows went. Audited (``memory.forget``).
        InputError unless exactly one of incident, person and age is given."""
        self.records.guard(by, Act.FORGET)
        given = [v for v in (what.incident_id, what.person, what.older_than_days) if v is not None]
        if len(given) != 1:
            raise InputError(
                "say what to forget: exactly one of an incident id, a person's name, or an age "
                "in days"
            )
        if what.incident_id is not None:
            gone = self.store.forget_incident(what.incident_id)
        elif what.person is not None:
            gone = self.store.forget_person(what.person)
        else:
            days = what.older_than_days or 0
            if days < 1:
                raise InputError(f"an age of {days} days forgets nothing useful: give 1 or more")
            gone = self.store.forget_before(self.records.clock.now() - timedelta(days=days))
        data = {"incident_id": what.incident_id, "older_than_days": what.older_than_days}
        # a person's name is what is being forgotten: the trail keeps only that someone was
        data |= {"person": "(named)" if what.person else None, "deleted": gone, "via": by.via}
        self.records.audit("memory.forget", data, actor=by.name)
        return gone


def _check(feedback: Feedback) -> None:
    if feedback.verdict is Verdict.CORRECT and not (feedback.kind and feedback.service):
        raise InputError(
            "a correction names the true cause: give its kind (e.g. bad_deploy) and service"
        )
    if feedback.verdict is Verdict.RATE and (not feedback.action or feedback.helped is None):
        raise InputError("a rating names the action (e.g. rollback) and whether it helped")
