"""The runbooks one process knows, and what they say about an incident's plan.

``Runbooks`` answers the questions other stages ask of the runbooks (the ``RunbookFacts`` port):
the gate — does this runbook always ask a human? — and verify — how long to let the remedy settle
and watch the symptoms, and which undo steps the runbook adds to restoring pre-state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Set

from nightowl.domain import ActionSpec, Incident
from nightowl.domain.ports import RecoveryWindow
from nightowl.runbooks.catalog import facts_of
from nightowl.runbooks.interpreter import rollback_steps, verify_window
from nightowl.runbooks.model import Runbook


class Runbooks:
    """An ordered, read-only collection of runbooks (users' first, then the built-in ones)."""

    def __init__(self, books: Sequence[Runbook]) -> None:
        self.books = list(books)
        self.by_name = {b.name: b for b in self.books}

    def __iter__(self) -> Iterator[Runbook]:
        return iter(self.books)

    def __len__(self) -> int:
        return len(self.books)

    def requires_approval(self, runbook: str) -> bool:
        """True when ``runbook`` says every action of it needs a human; False for an unknown
        name.
        """
        book = self.by_name.get(runbook)
        return bool(book and book.requires_approval)

    def recovery_window(self, incident: Incident, runbooks: Set[str]) -> RecoveryWindow | None:
        """The verify window a planned runbook sets, on the path its decisions take for this
        incident (one round plans one runbook); None without a root cause or when none sets one
        (verify's defaults apply).
        """
        diagnosis = incident.diagnosis
        if diagnosis is None or diagnosis.root_cause is None:
            return None
        for name in runbooks:
            book = self.by_name.get(name)
            window = verify_window(book, facts_of(diagnosis, incident.id, None)) if book else None
            if window:
                return RecoveryWindow(
                    settle_seconds=window.settle_seconds, window_seconds=window.window_seconds
                )
        return None

    def undo_steps(self, incident: Incident, runbooks: Set[str]) -> list[ActionSpec]:
        """The rollback actions of the planned runbooks, in the runbooks' order, for this
        incident; none without a root cause or for a runbook whose rollback is a note.
        """
        diagnosis = incident.diagnosis
        if diagnosis is None or diagnosis.root_cause is None:
            return []
        facts = facts_of(diagnosis, incident.id, None)
        return [
            step
            for book in self.books
            if book.name in runbooks
            for step in rollback_steps(book, facts, incident.id)
        ]
