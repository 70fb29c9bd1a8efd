"""Deciding what a flushed group becomes: a new incident, part of an open one, or nothing.

In order: inhibited alerts are set aside; above the storm rate the group folds into the open storm
incident; a group about the same service as an open incident — or about a service on one call path
with it, up or down the chain (topology, ``CHAIN_HOPS``) — joins that incident within the
correlation window; otherwise it opens a new incident. Incident ids are deterministic, so a retried
flush names the same incident.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

from nightowl.domain import AlertState, Severity
from nightowl.domain.intake import FlushContext, FlushPlan, NewIncident, OpenIncident, Plan
from nightowl.domain.topology import Topology
from nightowl.domain.vocabulary import SEVERITY_WORDS, service_in
from nightowl.intake.inhibit import CompiledRule, inhibitor
from nightowl.settings import IntakeSettings

STORM_KEY = "storm"
STORM_COUNT_CAP = 10
"""Recent alerts are counted up to this many times the storm limit (beyond it: "N+")."""
CHAIN_HOPS = 3
TITLE_LENGTH = 300
"""Characters of a watcher finding's title an incident keeps (the anchor incidents keep as many)."""
"""How many calls apart two services may be and still have their alerts correlated."""


def service_of(state: AlertState) -> str | None:
    return service_in(state.labels)


def planner(settings: IntakeSettings, rules: Sequence[CompiledRule]) -> Plan:
    """A plan function for GroupStore.flush, bound to the settings."""

    def plan(ctx: FlushContext) -> FlushPlan:
        inhibited = {
            s.fingerprint: why for s in ctx.candidates if (why := inhibitor(s, ctx.firing, rules))
        }
        live = [s for s in ctx.candidates if s.fingerprint not in inhibited]
        if not live:
            reason = (
                "every alert of the group is inhibited"
                if inhibited
                else "no firing alert to act on"
            )
            return FlushPlan(incident_id=None, inhibited=inhibited, reason=reason)
        service = _main_service(live)
        if ctx.recent_alerts > settings.storm_alerts_per_minute:
            storm = next((i for i in ctx.open_incidents if i.correlation_key == STORM_KEY), None)
            limit = settings.storm_alerts_per_minute
            counted = (
                f"{ctx.recent_alerts}{'+' if ctx.recent_alerts >= STORM_COUNT_CAP * limit else ''}"
            )
            reason = f"alert storm: {counted} alerts in the last minute (limit {limit})"
            if storm:
                return FlushPlan(incident_id=storm.id, inhibited=inhibited, reason=reason)
            new = _new_incident(STORM_KEY, live, "Alert storm", None, ctx)
            return FlushPlan(
                incident_id=new.id, new_incident=new, inhibited=inhibited, reason=reason
            )
        related = _related(service, ctx.open_incidents, settings.topology)
        if related is not None:
            return FlushPlan(incident_id=related[0].id, inhibited=inhibited, reason=related[1])
        key = f"service:{service}" if service else f"group:{ctx.group.group_key}"
        new = _new_incident(key, live, _title(live, service), service, ctx)
        return FlushPlan(
            incident_id=new.id, new_incident=new, inhibited=inhibited, reason="a new problem"
        )

    return plan


def _related(
    service: str | None, incidents: Sequence[OpenIncident], topology: dict[str, list[str]]
) -> tuple[OpenIncident, str] | None:
    if service is None:
        return None
    for incident in incidents:
        if incident.correlation_key == f"service:{service}" or incident.service == service:
            return incident, f"same service {service} as the open incident"
    graph = Topology(topology)
    downstream = graph.downstream(service, CHAIN_HOPS)
    upstream = graph.upstream(service, CHAIN_HOPS)
    for incident in incidents:
        if incident.service is None:
            continue
        if incident.service in downstream or incident.service in upstream:
            hops = downstream.get(incident.service) or upstream[incident.service]
            how = "depend on each other" if hops == 1 else f"are {hops} calls apart"
            return incident, f"{service} and {incident.service} {how}"
    return None


def _main_service(states: Sequence[AlertState]) -> str | None:
    services = Counter(s for st in states if (s := service_of(st)))
    return services.most_common(1)[0][0] if services else None


def _title(states: Sequence[AlertState], service: str | None) -> str:
    """The new incident's title: the alert name and service; a finding of nightowl's own
    watchers (source ``watcher``: never a webhook's text) says what it found instead — a drift
    watcher's names the model, version and columns."""
    said = [s.annotations.get("summary", "") for s in states if s.source == "watcher"]
    if said and all(said) and len(said) == len(states):
        first, *more = sorted(set(said))
        return first[:TITLE_LENGTH] + (f" (+{len(more)} more)" if more else "")
    names = sorted({s.name for s in states})
    head = names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} more)"
    return f"{head} on {service}" if service else head


def _new_incident(
    key: str, states: Sequence[AlertState], title: str, service: str | None, ctx: FlushContext
) -> NewIncident:
    first = min(states, key=lambda s: (s.starts_at, s.fingerprint))
    seed = f"{key}|{first.fingerprint}|{first.starts_at.isoformat()}"
    severities = [
        SEVERITY_WORDS[v]
        for s in states
        if (v := s.labels.get("severity", "").lower()) in SEVERITY_WORDS
    ]
    order = list(Severity)
    return NewIncident(
        id="inc-" + hashlib.sha256(seed.encode()).hexdigest()[:12],
        correlation_key=key,
        title=title,
        service=service,
        severity=min(severities, key=order.index) if severities else None,
    )
