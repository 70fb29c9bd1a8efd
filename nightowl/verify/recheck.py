"""Confirming a resolution: when every alert of an incident has resolved, are the signals healthy?

Reads the incident's symptoms over the last verification window and compares them with their
pre-incident baselines. With no metrics connector, or no symptom to compare, nothing can be
confirmed and the incident is escalated to a human rather than closed blindly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from nightowl.clock import Clock
from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Incident, IncidentStatus, Verification
from nightowl.settings import VerifySettings
from nightowl.store import IncidentStore
from nightowl.verify.recovery import judge, symptoms
from nightowl.verify.signals import read_signals


class ResolutionCheck:
    """Checks a resolved incident's signals and records the verdict and the incident's status."""

    def __init__(
        self,
        settings: VerifySettings,
        step_seconds: int,
        *,
        metrics: Sequence[MetricsSource],
        store: IncidentStore,
        clock: Clock,
    ) -> None:
        self.settings, self.step_seconds, self.metrics = settings, step_seconds, list(metrics)
        self.store, self.clock = store, clock

    async def run(self, incident_id: str) -> Incident:
        """Judge, record the verdict and the status (resolved or escalated); the updated incident."""
        incident = self.store.get(incident_id)
        verdict = await self.judge(incident)
        self.store.save_verification(incident_id, verdict)
        status = IncidentStatus.RESOLVED if verdict.recovered else IncidentStatus.ESCALATED
        self.store.set_status(incident_id, status)
        return incident.model_copy(update={"verification": verdict, "status": status})

    async def judge(self, incident: Incident) -> Verification:
        """Re-read the incident's symptoms over the last window; not recovered when no symptom or
        signal can be read, since a resolved alert alone proves nothing.
        """
        now = self.clock.now()
        start = now - timedelta(seconds=self.settings.window_seconds)
        services = [incident.service] if incident.service else []
        before = symptoms(incident.evidence, services)
        after = await read_signals(self.metrics, services, start, now, self.step_seconds)
        verdict = judge(before, after, self.settings.tolerance, (start, now), now)
        if not before or not after:
            return verdict.model_copy(
                update={
                    "recovered": False,
                    "summary": "every alert resolved, but no signal could confirm recovery: "
                    "a human should close it",
                }
            )
        return verdict.model_copy(update={"summary": f"every alert resolved; {verdict.summary}"})
