"""Confirming a resolution: when every alert of an incident has resolved, are the signals healthy?

Reads the incident's symptoms over the last verification window and compares them with their
pre-incident baselines. With no metrics connector, or no symptom to compare, nothing can be
confirmed and the incident is escalated to a human rather than closed blindly.
"""

from __future__ import annotations

from datetime import timedelta

from nightowl.domain import Incident, Series, Verification
from nightowl.verify.recovery import judge, symptoms
from nightowl.workflow.runtime import Runtime


async def recheck(rt: Runtime, incident: Incident) -> Verification:
    now = rt.clock.now()
    start = now - timedelta(seconds=rt.settings.verify.window_seconds)
    services = [incident.service] if incident.service else []
    before = symptoms(incident.evidence, services)
    after: dict[str, dict[str, Series]] = {}
    for source in rt.metrics:
        for service in services:
            signals = await source.service_signals(
                service, start, now, rt.settings.gather.step_seconds
            )
            after.setdefault(service, {}).update({k.value: v for k, v in signals.items()})
    verdict = judge(before, after, rt.settings.verify.tolerance, (start, now), now)
    if not before or not after:
        return verdict.model_copy(
            update={
                "recovered": False,
                "summary": "every alert resolved, but no signal could confirm recovery: a human should close it",
            }
        )
    return verdict.model_copy(update={"summary": f"every alert resolved; {verdict.summary}"})
