"""The notify stage: tell the humans how the incident ended and why, with the report's path.

The message leads with the outcome (``nightowl.domain.outcome``): the final status, why, and what
a human must now do — in dry run, the exact plan nightowl previewed and did not execute. The
status sent is the incident's, except that a run in which a stage failed is reported as escalated
(the engine marks it so once this stage returns).
"""

from __future__ import annotations

import logging

from nightowl.domain import Incident, StageContext, StageName, StageResult, outcome_of
from nightowl.domain.ports import Knowledge
from nightowl.errors import NightowlError
from nightowl.notify.broadcast import Broadcast
from nightowl.notify.protocol import Message

log = logging.getLogger(__name__)


class Notify:
    """The notify stage; see the module docstring."""

    name = StageName.NOTIFY

    def __init__(self, broadcast: Broadcast, knowledge: Knowledge | None = None) -> None:
        self.broadcast = broadcast
        self.knowledge = knowledge

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Tell every notifier how the incident ended and why (escalated when a stage failed and
        it is not resolved), then the diagnosis' first line and the verification summary.
        """
        outcome = outcome_of(incident)
        d = incident.diagnosis
        first = (d.explanation.splitlines() or ["none"])[0] if d else "none"
        lines = [outcome.headline, f"Diagnosis: {first}"]
        if d is not None and d.recall is not None:
            lines.append(d.recall.line)
        if incident.verification is not None:
            lines.append(incident.verification.summary)
        message = Message(
            incident_id=incident.id,
            title=incident.title,
            status=outcome.status.value,
            text="\n".join(lines),
            report_path=incident.report_path,
        )
        sent = await self.broadcast.send(message)
        self._remember(
            incident.model_copy(update={"notifications": (*incident.notifications, *sent)})
        )
        notes = [f"{note.channel}: {'sent' if note.ok else 'failed'}" for note in sent]
        return StageResult(summary="; ".join(notes) or "no notifier configured")

    def _remember(self, incident: Incident) -> None:
        """The incident as it ended, with the messages just sent (its Slack thread), in the
        knowledge graph; a graph failure is logged, the notifications stand."""
        if self.knowledge is None:
            return
        try:
            self.knowledge.note_incident(incident, incident.updated_at)
        except NightowlError as exc:
            log.warning("the knowledge graph did not record %s: %s", incident.id, exc)
