"""What went well, what went badly, where we got lucky, and the action items.

Each computed line states a fact the record holds (a diagnosis and how long it took, a recovery
verified, a dry run nobody executed, a source that could not be read); judgement — was that fast
enough, was it luck — is left to the humans as a marked prompt. No threshold decides "good".
"""

from __future__ import annotations

from nightowl.domain import ActionStatus, Incident, Observations
from nightowl.domain.units import duration
from nightowl.report.model import TO_FILL, ActionItem, Cause, Lesson, Postmortem

NOT_FOUND = "no root cause was found with enough confidence"
NOTHING_TESTED = "no root cause: there was no data to test any hypothesis on"

Lessons = tuple[tuple[Lesson, ...], tuple[Lesson, ...], tuple[Lesson, ...]]


def lessons(incident: Incident, report: Postmortem, observations: Observations | None) -> Lessons:
    """(went well, went badly, lucky): the facts, then one prompt for humans in each."""
    well: list[Lesson] = []
    badly: list[Lesson] = []
    det, cause = report.detection, report.cause
    if cause and det.time_to_diagnose_seconds is not None:
        well.append(
            Lesson(
                text=f"nightowl diagnosed {cause.kind.replace('_', ' ')} on {cause.service} "
                f"{duration(det.time_to_diagnose_seconds)} after the page, citing "
                f"{len(cause.evidence)} pieces of evidence"
            )
        )
    elif cause is None:
        untested = incident.diagnosis is not None and incident.diagnosis.untested
        badly.append(Lesson(text=NOTHING_TESTED if untested else NOT_FOUND))
    v = incident.verification
    if v is not None and v.recovered and det.time_to_mitigate_seconds is not None:
        well.append(
            Lesson(
                text=f"the remediation was applied {duration(det.time_to_mitigate_seconds)} "
                f"after the page and recovery was verified: {v.summary}"
            )
        )
    elif v is not None and not v.recovered and not v.deferred:
        badly.append(Lesson(text=f"the remediation did not bring recovery: {v.summary}"))
    if (
        any(a.status is ActionStatus.DRY_RUN for a in incident.actions)
        and report.outcome.human_action
    ):
        badly.append(Lesson(text=report.outcome.why))
    for s in incident.stages:
        if s.error:
            badly.append(Lesson(text=f"the {s.stage.value} stage failed: {s.error}"))
    for u in observations.unavailable if observations else ():
        badly.append(Lesson(text=f"{u.source} could not be read ({u.what}): {u.reason}"))
    if det.detection_delay_seconds is not None:
        badly.append(
            Lesson(
                text=f"{TO_FILL}: the first alert fired {duration(det.detection_delay_seconds)} "
                "after the trigger — was that soon enough, and what would have caught it earlier?",
                prompt=True,
            )
        )
    well.append(Lesson(text=f"{TO_FILL}: what else helped the responders?", prompt=True))
    badly.append(Lesson(text=f"{TO_FILL}: what else slowed the response down?", prompt=True))
    lucky = (Lesson(text=f"{TO_FILL}: where did we get lucky?", prompt=True),)
    return tuple(well), tuple(badly), lucky


def action_items(
    incident: Incident, report: Postmortem, observations: Observations | None
) -> tuple[ActionItem, ...]:
    """Follow-ups from the outcome, the diagnosis and the runbook, then the review itself."""
    items: list[ActionItem] = []
    if report.outcome.human_action:
        items.append(
            ActionItem(text=_sentence(report.outcome.human_action), priority="P1", kind="mitigate")
        )
    if report.cause is not None:
        items += _fixes(report.cause, observations)
    v = incident.verification
    if v is not None and not v.recovered and not v.deferred:
        runbooks = ", ".join(sorted({p.runbook for p in incident.plan})) or "the runbook"
        items.append(
            ActionItem(
                text=f"The remediation did not work: review {runbooks}",
                priority="P1",
                kind="process",
            )
        )
    for u in observations.unavailable if observations else ():
        items.append(
            ActionItem(text=f"Restore nightowl's access to {u.source} ({u.what})", kind="detect")
        )
    if report.detection.detection_delay_seconds is not None:
        items.append(
            ActionItem(
                text=f"{TO_FILL}: an alert that fires sooner than "
                f"{duration(report.detection.detection_delay_seconds)} after such a change?",
                priority="P3",
                kind="detect",
            )
        )
    items.append(
        ActionItem(
            text="Review this report in the post-incident meeting and confirm the root cause",
            priority="P3",
            kind="process",
        )
    )
    return tuple(items)


def _fixes(cause: Cause, observations: Observations | None) -> list[ActionItem]:
    """What fixes the root cause: a bad deploy's regression (owned by who shipped it) and a gate
    in its pipeline; any other fault, at its service."""
    if cause.kind != "bad_deploy":
        fault = cause.kind.replace("_", " ")
        return [ActionItem(text=f"Fix the underlying {fault} in {cause.service}", priority="P1")]
    where = f"{cause.service} {cause.deploy or ''}".strip()
    commit = f" (commit {cause.commit})" if cause.commit else ""
    author = _author(observations, cause.service, cause.deploy)
    return [
        ActionItem(
            text=f"Find and fix the regression in {where}{commit} before re-deploying",
            owner=author or TO_FILL,
            priority="P1",
        ),
        ActionItem(
            text=f"Add a canary or an automatic gate on the symptoms to {cause.service}'s "
            "deploy pipeline",
            priority="P2",
        ),
    ]


def _author(observations: Observations | None, service: str, version: str | None) -> str | None:
    """Who shipped the deploy the root cause names, when the deploy source said."""
    for d in observations.deploys if observations else ():
        if d.service == service and (version is None or d.version == version) and d.author:
            return d.author
    return None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
