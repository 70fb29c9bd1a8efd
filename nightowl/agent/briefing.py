"""The user prompt of each run: what nightowl knows, with everything observed framed as data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nightowl.agent.schema import Finding, LlmDiagnosis
from nightowl.agent.tooldata import frame_incident
from nightowl.domain import Diagnosis, Incident
from nightowl.store.llm import AgentRun

Redact = Callable[[str], str]


def incident_data(incident: Incident, limit: int, redact: Redact) -> str:
    """Alerts with their labels and annotations (a sender controls these: data, never orders)."""
    lines = [f"title: {incident.title}", f"service: {incident.service or 'unknown'}"]
    if incident.triage:
        lines.append(f"triage: {incident.triage.category.value}, {incident.triage.severity.value}")
    for alert in incident.alerts[:10]:
        labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
        lines.append(
            f"alert {alert.name} ({alert.status.value}) since {alert.starts_at:%H:%M}: {labels}"
        )
        lines += [f"  {k}: {v}" for k, v in sorted(alert.annotations.items())]
    return frame_incident("\n".join(lines), limit=limit, redact=redact)


def diagnose(incident: Incident, deterministic: Diagnosis, limit: int, redact: Redact) -> str:
    """The diagnostician's user prompt: the incident, the deterministic ranking and its evidence,
    redacted and cut to ``limit`` characters per part.
    """
    ranked = "\n".join(
        f"- {h.kind} on {h.service} ({h.confidence:.2f}, {h.status.value}): {h.summary}"
        for h in deterministic.hypotheses
    )
    return (
        "An incident is open.\n"
        + incident_data(incident, limit, redact)
        + "\n\nnightowl's deterministic analysis ranked these hypotheses:\n"
        + redact(ranked or "- none")
        + "\n\nInvestigate with your tools and return your diagnosis, citing call_ids."
    )


def remediate(finding: Finding, action_kinds: Sequence[str], redact: Redact) -> str:
    """The remediator's user prompt: the accepted root cause and the action kinds the drivers
    perform.
    """
    claim = finding.root_cause
    assert claim is not None
    return (
        f"Diagnosis: {claim.kind} on {claim.service}"
        + (f" (deploy {claim.deploy})" if claim.deploy else "")
        + f", confidence {finding.confidence:.2f}: {redact(claim.summary)}\n"
        + f"Action kinds you may propose: {', '.join(action_kinds)}.\n"
        + "Propose what you would do, then return the proposals."
    )


def narrate(
    incident: Incident,
    runs: Sequence[AgentRun],
    llm: LlmDiagnosis | None,
    limit: int,
    redact: Redact,
) -> str:
    """The narrator's user prompt: what happened, from the incident, the agent's runs and its
    finding.
    """
    d = incident.diagnosis
    facts = [
        f"status: {incident.status.value}",
        f"diagnosis: {d.explanation if d else 'none'}",
        *[
            f"stage {s.stage.value}: {s.status.value}, {s.error or s.summary}"
            for s in incident.stages
        ],
        *[f"action {a.kind} {a.service}: {a.status.value} {a.message}" for a in incident.actions],
    ]
    if incident.verification:
        facts.append(f"verification: {incident.verification.summary}")
    if llm and llm.proposed_actions:
        facts += [f"proposed (not executed): {a.kind} {a.service}" for a in llm.proposed_actions]
    facts += [f"agent run {r.run_key}: {r.outcome}" for r in runs]
    return (
        "Write the summary, the status update and the narrative of this incident.\n"
        + incident_data(incident, limit, redact)
        + "\n"
        + frame_incident("\n".join(facts), limit=limit * 2, redact=redact)
    )


def runbook_draft(text: str, limit: int, redact: Redact) -> str:
    """The communicator's user prompt for a drafted runbook: the draft's YAML, framed as data
    (it holds what past incidents' alerts and people said)."""
    return (
        "nightowl drafted this runbook from what fixed past incidents. Write its summary (one "
        "line) and a short prose description for the engineers who will review the pull "
        "request: when the runbook applies, what each step does and what to check before "
        "approving it. Use only the facts in the draft; do not add steps.\n"
        + frame_incident(text, limit=limit, redact=redact)
    )
