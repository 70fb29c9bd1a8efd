"""The post-incident report in Markdown, written from the incident record alone (no LLM needed)."""

from __future__ import annotations

from datetime import datetime

from nightowl.domain import ActionStatus, Evidence, Incident, Verdict


def render(incident: Incident) -> str:
    """The report of ``incident`` in Markdown: summary, timeline, root cause, resolution, impact
    and action items. Pure: the same incident renders the same text.
    """
    parts = [
        f"# Post-incident report: {incident.title}",
        "",
        f"*Incident `{incident.id}` · service `{incident.service or 'unknown'}` · severity "
        f"{incident.severity.value if incident.severity else 'unknown'} · category "
        f"{incident.category.value if incident.category else 'unknown'}*",
        "",
        "## Summary",
        "",
        _summary(incident),
        "",
        "## Timeline",
        "",
        "| time (UTC) | event |",
        "|---|---|",
        *[f"| {t:%Y-%m-%d %H:%M:%S} | {text} |" for t, text in _timeline(incident)],
        "",
        "## Root cause",
        "",
        *_root_cause(incident),
        "",
        "## Resolution",
        "",
        *_resolution(incident),
        "",
        "## Impact",
        "",
        *_impact(incident),
        "",
        "## Action items",
        "",
        *_action_items(incident),
        "",
    ]
    return "\n".join(parts)


def _summary(incident: Incident) -> str:
    d = incident.diagnosis
    cause = d.root_cause if d else None
    what = (
        f"{cause.kind.replace('_', ' ')} on {cause.service}" if cause else "an undiagnosed problem"
    )
    did = (
        ", ".join(f"{a.kind} ({a.status.value})" for a in incident.actions)
        or "no action was executed"
    )
    v = incident.verification
    outcome = (
        ("the service recovered" if v.recovered else "the service did not recover")
        if v
        else "recovery was not verified"
    )
    conf = f" (confidence {d.confidence:.0%})" if d else ""
    return f"{incident.title}. nightowl diagnosed {what}{conf}; {did}; {outcome}."


def _timeline(incident: Incident) -> list[tuple[datetime, str]]:
    events: list[tuple[datetime, str]] = []
    for e in incident.evidence:
        if e.onset and e.kind.value in ("deploy", "metric_change", "monotonic_growth"):
            events.append((e.onset, e.summary))
    for a in incident.alerts:
        events.append(
            (a.starts_at, f"alert {a.name} {a.status.value}: {a.annotations.get('summary', '')}")
        )
    events.append((incident.opened_at, "nightowl opened the incident"))
    if incident.diagnosis and incident.diagnosis.root_cause:
        rc = incident.diagnosis.root_cause
        events.append(
            (
                incident.diagnosis.decided_at,
                f"diagnosed {rc.kind} on {rc.service} ({incident.diagnosis.confidence:.0%})",
            )
        )
    for d in incident.decisions:
        events.append(
            (d.decided_at, f"policy: {d.action_kind} → {d.verdict.value} ({'; '.join(d.reasons)})")
        )
    for act in incident.actions:
        events.append(
            (act.started_at, f"{act.kind} on {act.service}: {act.status.value} — {act.message}")
        )
    if incident.verification:
        events.append((incident.verification.checked_at, incident.verification.summary))
    return sorted(events, key=lambda x: x[0])


def _cite(incident: Incident, ids: tuple[str, ...]) -> list[str]:
    by_id: dict[str, Evidence] = {e.id: e for e in incident.evidence}
    return [
        f"  - {by_id[i].summary} *(source: {by_id[i].source}, query: `{by_id[i].query}`)*"
        for i in ids
        if i in by_id
    ]


def _root_cause(incident: Incident) -> list[str]:
    d = incident.diagnosis
    history = [d.recall.line, ""] if d and d.recall else []
    if not d or not d.root_cause:
        return [*history, d.explanation if d else "No diagnosis was made."]
    lines = [
        *history,
        f"**{d.root_cause.kind}** on **{d.root_cause.service}**"
        + (f" (deploy {d.root_cause.deploy})" if d.root_cause.deploy else "")
        + f", confidence {d.confidence:.0%}.",
        "",
        d.root_cause.summary + ".",
        "",
        "Evidence:",
    ]
    winner = d.hypotheses[0]
    lines += _cite(incident, winner.supporting)
    lines += ["", "Alternatives considered:"]
    for h in d.hypotheses[1:]:
        lines.append(
            f"- {h.kind} on {h.service}: {h.confidence:.0%} ({h.status.value}) — {h.summary}"
        )
    return lines


def _resolution(incident: Incident) -> list[str]:
    lines = []
    for d in incident.decisions:
        if d.verdict is not Verdict.ALLOW:
            lines.append(f"- {d.action_kind}: {d.verdict.value} — {'; '.join(d.reasons)}")
    for a in incident.actions:
        how = "dry run" if a.status is ActionStatus.DRY_RUN else a.status.value
        lines.append(f"- {a.kind} on {a.service} by driver `{a.driver}` ({how}): {a.message}")
    if incident.verification:
        lines.append(f"- Verification: {incident.verification.summary}")
    return lines or ["No action was taken."]


def _impact(incident: Incident) -> list[str]:
    symptom = [
        e
        for e in incident.evidence
        if e.kind.value == "metric_change" and e.signal in ("error_rate", "latency_p99")
    ]
    lines = [f"- {e.summary}" for e in symptom]
    services = sorted({e.service for e in symptom if e.service})
    if incident.verification and incident.verification.recovered:
        start = min((e.onset for e in symptom if e.onset), default=None)
        end = incident.verification.window_end
        if start:
            minutes = (end - start).total_seconds() / 60
            lines.append(
                f"- Degraded for about {minutes:.0f} minutes (first symptom to verified recovery)."
            )
    lines.append(f"- Services affected: {', '.join(services) if services else 'none measured'}.")
    return lines


def _action_items(incident: Incident) -> list[str]:
    d = incident.diagnosis
    items = []
    if d and d.root_cause:
        rc = d.root_cause
        if rc.kind == "bad_deploy":
            items.append(
                f"- [ ] Find and fix the regression in {rc.service} {rc.deploy} before re-deploying."
            )
            items.append(
                f"- [ ] Add a canary or a memory/latency gate to {rc.service}'s deploy pipeline."
            )
        else:
            items.append(f"- [ ] Fix the underlying {rc.kind.replace('_', ' ')} in {rc.service}.")
    if incident.verification and not incident.verification.recovered:
        items.append("- [ ] The automatic remediation did not work: review the runbook.")
    items.append(
        "- [ ] Review this report in the post-incident meeting and confirm the root cause."
    )
    return items
