"""The notify stage: tell the humans how the incident ended, with the report's path.

The status sent is the incident's, except that a run in which a stage failed is reported as
escalated (the engine marks it so once this stage returns).
"""

from __future__ import annotations

from nightowl.domain import (
    Incident,
    IncidentStatus,
    StageContext,
    StageName,
    StageResult,
    StageStatus,
)
from nightowl.notify.broadcast import Broadcast
from nightowl.notify.protocol import Message


class Notify:
    """The notify stage; see the module docstring."""

    name = StageName.NOTIFY

    def __init__(self, broadcast: Broadcast) -> None:
        self.broadcast = broadcast

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Tell every notifier how the incident ended (escalated when a stage failed and it is
        not resolved), with the diagnosis' first line and the verification summary.
        """
        d = incident.diagnosis
        text = d.explanation.splitlines()[0] if d else "no diagnosis"
        if d is not None and d.recall is not None:
            text += f"\n{d.recall.line}"
        if incident.verification is not None:
            text += f"\n{incident.verification.summary}"
        status = incident.status
        if status is not IncidentStatus.RESOLVED and any(
            s.status is StageStatus.FAILED for s in incident.stages
        ):
            status = IncidentStatus.ESCALATED
        message = Message(
            incident_id=incident.id,
            title=incident.title,
            status=status.value,
            text=text,
            report_path=incident.report_path,
        )
        sent = await self.broadcast.send(message)
        lines = [f"{note.channel}: {'sent' if note.ok else 'failed'}" for note in sent]
        return StageResult(summary="; ".join(lines) or "no notifier configured")
