"""The durable side of intake: flush due alert groups into incidents and start their workflows.

Runs as a background task of every server process, but only the cluster's leader flushes (a
PostgreSQL advisory lock, ``store/leader.py``; the others try again every ``interval`` and take
over when the leader dies), and inline after a webhook whose group is due at once
(``group_wait_seconds: 0``). Group state lives in the database, so after a crash the next leader
flushes whatever was due; starting an incident's workflow is idempotent (its id is the workflow
id).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from nightowl.domain import IncidentStatus
from nightowl.domain.intake import FlushResult
from nightowl.intake.service import Intake
from nightowl.notify.broadcast import Broadcast
from nightowl.store import IncidentStore
from nightowl.store.leader import Leadership
from nightowl.workflow import engine

log = logging.getLogger(__name__)
RECHECK = (IncidentStatus.AWAITING_APPROVAL, IncidentStatus.ESCALATED, IncidentStatus.OPEN)


class Dispatcher:
    """The durable side of intake: turns due alert groups into incident workflows and reminders.

    ``run`` is one background loop per process: every ``interval`` seconds, when this process
    leads (``leader``; always on SQLite), it flushes the groups whose wait is over, pages the
    updates and reminders and starts the resolution checks; a failed cycle is logged and retried,
    never fatal. Starting a workflow is idempotent (keyed by incident id), so an inline flush
    and the leader's start it once.
    """

    def __init__(
        self,
        intake: Intake,
        store: IncidentStore,
        broadcast: Broadcast,
        interval: float = 0.25,
        leader: Leadership | None = None,
    ) -> None:
        self.intake = intake
        self.store = store
        self.broadcast = broadcast
        self.interval = interval
        self.leader = leader or Leadership(store.engine, "nightowl.dispatcher")

    async def flush(self, group_keys: Iterable[str]) -> list[FlushResult]:
        """Flush these groups now (off the event loop) and act on what each flush did."""
        results = [
            r
            for key in group_keys
            if (r := await asyncio.to_thread(self.intake.flush, key)) is not None
        ]
        await self.handle(results)
        return results

    async def handle(self, results: list[FlushResult]) -> None:
        """Start the workflow of an opened or joined incident; page an update or a repeat
        reminder.
        """
        for result in results:
            if result.kind in ("opened", "joined") and result.incident_id:
                await engine.start_incident(result.incident_id)
            elif result.kind in ("update", "repeat") and result.incident_id:
                await self._remind(result)

    async def resolved(self, incident_ids: Iterable[str]) -> None:
        """Every alert of these incidents resolved: verify before closing, never close blindly."""
        for incident_id in incident_ids:
            incident = await asyncio.to_thread(self.store.get, incident_id)
            if incident.status in RECHECK:
                await asyncio.to_thread(
                    self.store.set_status, incident_id, IncidentStatus.VERIFYING
                )
                await engine.start_resolution_check(incident_id)

    async def run(self) -> None:
        """Flush due groups forever while leading; a failing cycle is logged and the loop goes
        on. Leadership is let go when the loop is cancelled."""
        try:
            while True:
                try:
                    if await asyncio.to_thread(self.leader.hold):
                        await self.handle(await asyncio.to_thread(self.intake.flush_due))
                except Exception:
                    log.exception("dispatcher cycle failed; retrying")
                await asyncio.sleep(self.interval)
        finally:
            await asyncio.to_thread(self.leader.release)

    async def _remind(self, result: FlushResult) -> None:
        assert result.incident_id is not None
        incident = await asyncio.to_thread(self.store.get, result.incident_id)
        text = (
            f"{result.alerts} new alert notification(s) joined the incident"
            if result.kind == "update"
            else f"reminder: the incident is still {incident.status.value}"
        )
        await self.broadcast.page(incident, text)
