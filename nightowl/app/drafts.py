"""Drafting a runbook from what fixed an incident, and proposing it as a pull request.

``draft_for`` reads the incident's memory (or makes it from the incident when it was not yet
remembered) and the similar past incidents fixed the same way, and drafts a runbook
(``nightowl.runbooks.draft``); ``described`` adds the LLM agent's prose to its description when
an agent is configured (``llm.provider``), within the incident's LLM budget. ``propose_draft`` (``Act.PROPOSE_RUNBOOK``) makes the draft a
``pull_request`` action on ``<directory>/<name>.yaml`` and puts it through the gate like every
write — guardrails, kill switch, write counts, Cedar rules; the drafted runbook requires approval
when it runs, but the pull request itself is judged as any other. It is performed by the executor
only when the policy allows it and nightowl is not in dry run; otherwise the driver's dry run is
shown with the file and its diff. The pull request's service is ``runbooks`` (``TARGET``):
route it to the GitHub driver with ``actions.routes``. Every proposal is audited (``runbook.draft_proposed``).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from nightowl.app.access import Act, Principal
from nightowl.domain import ActionSpec, Decision, Risk, Verdict
from nightowl.domain.base import Model
from nightowl.domain.memory import memory_of
from nightowl.policy.gate import evaluate
from nightowl.policy.stage import Gate
from nightowl.runbooks.draft import Draft, draft, held_by, with_prose

if TYPE_CHECKING:
    from nightowl.app.nightowl import Nightowl

TARGET = "runbooks"
"""The service name of a draft's pull request: it changes the runbooks repository, not the
service the runbook is for; ``actions.routes: {runbooks: <github driver>}`` routes it."""


class DraftProposal(Model):
    """What proposing a draft did: the action, the policy's decision, the driver's answer (its
    dry run, or the pull request opened), the diff against the local runbooks directory, and
    whether anything was written."""

    draft: Draft
    action: ActionSpec
    decision: Decision
    outcome: str
    diff: str
    written: bool


def draft_for(app: Nightowl, incident_id: str, known_kinds: set[str] | None = None) -> Draft:
    """The runbook drafted from ``incident_id`` and its similar past incidents fixed the same
    way, with the loaded runbooks that already hold the same fix (``held_by``). NotFoundError for
    an unknown incident; InputError when nothing worked (see ``draft``)."""
    memories = app.records.memory
    incident = app.records.incident(incident_id)
    own = memories.store.get(incident.id) or memory_of(incident, memories.said(incident.id))
    past = [m.memory for m in memories.similar(incident.id)]
    drafted = draft([own, *past], known_kinds)
    kind = (own.cause or ("", ""))[0]
    return drafted.model_copy(update={"held_by": held_by(drafted, kind, app.runbooks)})


async def described(app: Nightowl, drafted: Draft, incident_id: str) -> Draft:
    """``drafted`` with the LLM agent's prose in its description, when ``llm.provider`` is set;
    as it was without an agent, or when the agent gave no prose (its run says why)."""
    if app.agent is None:
        return drafted
    return with_prose(drafted, await app.agent.describe_runbook(incident_id, drafted.text))


async def propose_draft(
    app: Nightowl, draft_: Draft, incident_id: str, *, by: Principal, directory: str = "runbooks"
) -> DraftProposal:
    """Ask the policy, then the driver, to open a pull request adding ``draft_`` under
    ``directory`` (ForbiddenError, audited, without ``Act.PROPOSE_RUNBOOK``). Audited."""
    app.records.guard(by, Act.PROPOSE_RUNBOOK, incident_id=incident_id)
    path = f"{directory.strip('/')}/{draft_.filename}"
    action = ActionSpec(
        kind="pull_request",
        service=TARGET,
        params={"path": path, "content": draft_.text, "title": f"runbook: {draft_.name}"},
        runbook="",
        risk=Risk.LOW,
        reason=f"nightowl drafted runbook {draft_.name} from {', '.join(draft_.sources)}",
        rollback="close the pull request (nothing changes until a human merges it)",
        idempotency_key=f"draft-{draft_.name}",
    )
    gate = app.pipeline.stages[Gate.name]
    assert isinstance(gate, Gate)
    facts, seen = await gate.facts(incident_id, action, app.control.killswitch())
    decision = evaluate(facts, app.settings.policy, gate.cedar)
    written = decision.verdict is Verdict.ALLOW and not app.executor.dry_run
    if written:
        outcome, _ = await app.executor.perform(incident_id, action)
    else:
        preview = seen.result
        outcome = preview.message if preview else (facts.preview_error or "no driver")
    done = DraftProposal(
        draft=draft_,
        action=action,
        decision=decision,
        outcome=outcome,
        diff=_diff(app, path, draft_.text),
        written=written,
    )
    data: dict[str, object] = {"action": action.model_dump(mode="json")}
    data |= {"verdict": decision.verdict.value, "sources": list(draft_.sources)}
    data |= {"reasons": list(decision.reasons), "written": written, "via": by.via}
    app.records.audit("runbook.draft_proposed", data, actor=by.name, incident_id=incident_id)
    return done


def _diff(app: Nightowl, path: str, text: str) -> str:
    """The unified diff from the file of that name in the configured runbooks paths (none: a new
    file) to the draft."""
    name = Path(path).name
    found = [p / name for p in app.settings.runbooks.paths if (p / name).is_file()]
    before = found[0].read_text().splitlines(keepends=True) if found else []
    lines = difflib.unified_diff(
        before, text.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
    )
    return "".join(lines)
