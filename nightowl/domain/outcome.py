"""How an incident ended and why, in the words every surface uses (report, notification, page).

An incident that nightowl did not fix is handed to a human: the outcome says so, and says what the
human must now do. The case that used to say nothing is the default one, dry run: an allowed or
approved action was previewed, not executed, and the incident escalated with only the diagnosis to
show for it. ``outcome_of`` is pure: the same incident gives the same sentences.
"""

from __future__ import annotations

from nightowl.domain.base import Model
from nightowl.domain.diagnosis import NO_SOURCES
from nightowl.domain.incident import Incident, IncidentStatus, StageStatus
from nightowl.domain.remediation import ActionResult, ActionStatus, Decision, Verdict

DRY_RUN_PREFIX = "dry run: would "
APPROVED = "approval.approved"
UNFINISHED = (
    IncidentStatus.OPEN,
    IncidentStatus.INVESTIGATING,
    IncidentStatus.AWAITING_APPROVAL,
    IncidentStatus.VERIFYING,
)
"""The rule the approvals stage adds to a decision a human approved (``approval.<status>``)."""


class Outcome(Model):
    """The final status of an incident, why, and what a human must do now (None: nothing).

    ``headline`` is the one line a notification or a page leads with; ``why`` the reason behind
    the status; ``human_action`` the next step a person owns, with the exact plan where there is
    one.
    """

    status: IncidentStatus
    headline: str
    why: str
    human_action: str | None = None


def final_status(incident: Incident) -> IncidentStatus:
    """The status as reported: escalated when a stage failed and the incident is not resolved
    (the engine marks it so once the run ends)."""
    failed = any(s.status is StageStatus.FAILED for s in incident.stages)
    if failed and incident.status is not IncidentStatus.RESOLVED:
        return IncidentStatus.ESCALATED
    return incident.status


def outcome_of(incident: Incident) -> Outcome:
    """The outcome of ``incident``: the first of these that applies — a stage failed, an action
    was only previewed (dry run), the gate denied or held an action, the actions did not help, it
    recovered, no cause was found, no runbook applied."""
    status = final_status(incident)
    why, todo = _why(incident, status)
    headline = f"{status.value.replace('_', ' ')}: {why}"
    if todo:
        headline += f" — {todo}"
    return Outcome(status=status, headline=headline, why=why, human_action=todo)


def _why(incident: Incident, status: IncidentStatus) -> tuple[str, str | None]:
    failed = [s for s in incident.stages if s.status is StageStatus.FAILED]
    if failed and status is not IncidentStatus.RESOLVED:
        s = failed[-1]
        return (
            f"the {s.stage.value} stage failed ({s.error or 'no detail'}), so the run stopped early",
            "a human must take over the incident and follow its runbook by hand",
        )
    if status in UNFINISHED:
        return _unfinished(status)
    previewed = [a for a in incident.actions if a.status is ActionStatus.DRY_RUN]
    if previewed and status is not IncidentStatus.RESOLVED:
        return _dry_run(incident, previewed)
    held = [d for d in incident.decisions if d.verdict is not Verdict.ALLOW]
    done = {a.idempotency_key for a in incident.actions}
    waiting = [d for d in held if d.idempotency_key not in done]
    if waiting and status is not IncidentStatus.RESOLVED:
        d = waiting[0]
        return (
            f"the {d.action_kind} was {_held(d)} ({'; '.join(d.reasons)})",
            f"a human must decide whether to {_planned(incident, d.idempotency_key)}",
        )
    v = incident.verification
    if v is not None and v.deferred:
        return (
            f"the remediation was applied; {v.summary}",
            "a human closes the incident once the watcher's next run no longer finds it",
        )
    if v is not None and not v.recovered:
        return (
            f"the actions taken did not bring recovery ({v.summary})",
            "a human must investigate: nightowl's remediation did not work",
        )
    if status is IncidentStatus.RESOLVED:
        return (v.summary if v else "every alert resolved and the signals were re-checked"), None
    return _undecided(incident, status)


def _held(d: Decision) -> str:
    """Who held an action back: an approver, an expired request, or the policy itself."""
    if "approval.denied" in d.rules:
        return "denied by an approver"
    if "approval.expired" in d.rules:
        return "held for approval, and the request expired unanswered"
    if d.verdict is Verdict.DENY:
        return "denied by policy"
    return "held for approval, and not approved"


def _dry_run(incident: Incident, previewed: list[ActionResult]) -> tuple[str, str]:
    asked = {d.idempotency_key for d in incident.decisions if APPROVED in d.rules}
    parts, plans = [], []
    for a in previewed:
        how = "approved" if a.idempotency_key in asked else "allowed by policy"
        target = _target_version(incident, a)
        to = f" to {target}" if target else ""
        parts.append(f"the {a.kind.replace('_', ' ')} of {a.service}{to} was {how}")
        plans.append(a.message.removeprefix(DRY_RUN_PREFIX))
    why = f"dry run: {', '.join(parts)} but not executed (actions.dry_run is on)"
    return why, f"a human must run it: {'; '.join(plans)}"


def _target_version(incident: Incident, action: ActionResult) -> str | None:
    """The version an action moves to: the plan's ``to_version``, else the driver's preview of
    the post-state when it differs from the state before."""
    spec = next((p for p in incident.plan if p.idempotency_key == action.idempotency_key), None)
    wanted = spec.params.get("to_version") if spec else None
    if isinstance(wanted, str) and wanted:
        return wanted
    after, before = action.post_state.version, action.pre_state.version
    return after if after and after != before else None


VERBS = {"rollback": "roll back"}
"""Action kinds whose name is a noun, as the verb a sentence needs ("whether to roll back")."""


def _planned(incident: Incident, key: str) -> str:
    """The held action as what a human would do: "roll back checkout to v2.4.0: <reason>"."""
    spec = next((p for p in incident.plan if p.idempotency_key == key), None)
    if spec is None:
        return "act"
    verb = VERBS.get(spec.kind, spec.kind.replace("_", " "))
    wanted = spec.params.get("to_version")
    to = f" to {wanted}" if isinstance(wanted, str) and wanted else ""
    return f"{verb} {spec.service}{to}: {spec.reason.rstrip('. ')}"


def _unfinished(status: IncidentStatus) -> tuple[str, str | None]:
    if status is IncidentStatus.AWAITING_APPROVAL:
        return "an action is waiting for an approver", "an approver must answer the request"
    if status is IncidentStatus.VERIFYING:
        return "every alert resolved; nightowl is re-checking the signals", None
    return "the run has not finished yet", None


def _undecided(incident: Incident, status: IncidentStatus) -> tuple[str, str | None]:
    owner = "a human must investigate from the evidence below"
    d = incident.diagnosis
    if d is not None and d.root_cause is None and d.untested:
        return _untested(d.explanation)
    if d is None or d.root_cause is None:
        return "no root cause was found with enough confidence", owner
    cause = f"{d.root_cause.kind.replace('_', ' ')} on {d.root_cause.service}"
    if not incident.plan:
        return f"no runbook applies to the diagnosed {cause}", "a human must remediate it by hand"
    return f"nightowl diagnosed {cause} but executed nothing", owner


def _untested(explanation: str) -> tuple[str, str]:
    """Why nothing was diagnosed when there was no data: no evidence to investigate "below"."""
    if explanation.startswith(NO_SOURCES):
        return (
            "no data sources configured: no hypothesis could be tested",
            "a human must investigate, and configure a metrics, logs or cluster connector "
            "(`nightowl init`, docs/configuration.md)",
        )
    return (
        "no data gathered: the data sources returned nothing, so no hypothesis could be tested",
        "a human must investigate, and check the data sources (`nightowl check connectors`)",
    )
