"""The write half of the pipeline: gate, act, verify. Every write passes the policy, is checked
against the kill switch immediately before it happens, and is audited with its pre-state and
result; an action that did not help is rolled back and the engine may diagnose again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nightowl.domain import (
    ActionResult,
    ActionSpec,
    ActionStatus,
    Decision,
    IncidentStatus,
    Series,
    Verdict,
)
from nightowl.errors import ActionError, HaltedError
from nightowl.policy.gate import evaluate
from nightowl.runbooks.catalog import facts_of
from nightowl.runbooks.interpreter import rollback_steps, verify_window
from nightowl.verify.recovery import judge, symptoms
from nightowl.workflow.facts import gather_facts
from nightowl.workflow.outcome import Carry, Outcome
from nightowl.workflow.runtime import Runtime


def audit(
    rt: Runtime, incident_id: str, kind: str, data: dict[str, Any], actor: str = "nightowl"
) -> None:
    rt.audit.append(incident_id, kind, data, actor=actor, at=rt.clock.now())


async def run_gate(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    books = {b.name: b for b in rt.runbooks}
    killswitch = rt.control.killswitch()
    decisions = []
    for action in incident.plan:
        facts, preview = await gather_facts(rt, incident_id, action, books, killswitch)
        decision = evaluate(facts, rt.settings.policy, rt.cedar)
        decisions.append(decision)
        audit(
            rt,
            incident_id,
            "decision",
            {
                "decision": decision.model_dump(mode="json"),
                "action": action.model_dump(mode="json"),
                "preview": preview.model_dump(mode="json") if preview else None,
            },
            actor="policy",
        )
    planned = {a.idempotency_key for a in incident.plan}
    earlier = [d for d in incident.decisions if d.idempotency_key not in planned]
    rt.store.save_decisions(incident_id, [*earlier, *decisions])  # earlier rounds stay on record
    if any(d.verdict is Verdict.REQUIRE_APPROVAL for d in decisions):
        rt.store.set_status(incident_id, IncidentStatus.AWAITING_APPROVAL)
    summary = "; ".join(f"{d.action_kind}: {d.verdict.value}" for d in decisions)
    return Outcome(summary=summary or "no action to decide", carry=carry)


async def run_act(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    allowed = {d.idempotency_key for d in incident.decisions if d.verdict is Verdict.ALLOW}
    done: list[str] = []
    for action in incident.plan:
        if action.idempotency_key not in allowed:
            continue
        if action.kind == "wait":
            await rt.clock.sleep(float(action.params.get("seconds") or 0))
            done.append(f"waited {action.params.get('seconds')}s")
            continue
        previous = rt.store.find_action(action.idempotency_key)
        if previous is not None:  # a retried step never acts twice
            done.append(f"{action.kind}: already {previous.status.value}")
            continue
        line, stop = await _act_once(rt, incident_id, action)
        done.append(line)
        if stop:
            _halt_rest(rt, incident_id, action, line)
            break
    return Outcome(summary="; ".join(done) or "nothing executed", carry=carry)


async def _act_once(rt: Runtime, incident_id: str, action: ActionSpec) -> tuple[str, bool]:
    """Perform one allowed action; (summary line, whether to stop the rest of the plan)."""
    driver = rt.driver_for(action.kind, action.service)
    if driver is None:
        return f"{action.kind}: no driver can perform it", True
    state = rt.control.killswitch()  # read immediately before the write, on every worker
    try:
        if state.on:
            raise HaltedError(f"the kill switch is on ({state.reason or 'no reason given'})")
        result = await driver.apply(action, dry_run=rt.settings.actions.dry_run)
    except HaltedError as exc:
        audit(
            rt,
            incident_id,
            "action.halted",
            {"action": action.model_dump(mode="json"), "reason": str(exc)},
        )
        return f"{action.kind} {action.service}: not executed, {exc}", True
    except ActionError as exc:
        result = _failed(rt, action, driver.name, str(exc))
    rt.store.save_action(incident_id, result)
    audit(rt, incident_id, "action", {"result": result.model_dump(mode="json")}, actor=driver.name)
    return (
        f"{action.kind} {action.service}: {result.status.value}",
        result.status is ActionStatus.FAILED,
    )


def _failed(rt: Runtime, action: ActionSpec, driver: str, message: str) -> ActionResult:
    at = rt.clock.now()
    return ActionResult(
        kind=action.kind,
        service=action.service,
        idempotency_key=action.idempotency_key,
        driver=driver,
        status=ActionStatus.FAILED,
        dry_run=rt.settings.actions.dry_run,
        started_at=at,
        finished_at=at,
        message=message,
    )


def _halt_rest(rt: Runtime, incident_id: str, stopped: ActionSpec, why: str) -> None:
    """Record on the decisions that the stopped action and every later one did not run, and why."""
    incident = rt.store.get(incident_id)
    keys = [a.idempotency_key for a in incident.plan]
    later = set(keys[keys.index(stopped.idempotency_key) :])
    updated: list[Decision] = []
    for d in incident.decisions:
        if d.idempotency_key in later and d.verdict is Verdict.ALLOW:
            d = d.model_copy(
                update={
                    "verdict": Verdict.DENY,
                    "reasons": (*d.reasons, f"stopped before the write: {why}"),
                    "rules": (*d.rules, "act.stopped"),
                    "decided_at": rt.clock.now(),
                }
            )
        updated.append(d)
    rt.store.save_decisions(incident_id, updated)


async def run_verify(rt: Runtime, incident_id: str, carry: Carry) -> Outcome:
    incident = rt.store.get(incident_id)
    executed = [a for a in incident.actions if a.status is ActionStatus.SUCCEEDED and not a.dry_run]
    if not executed:
        return Outcome(summary="no action executed: nothing to verify", carry=carry)
    cfg, books = rt.settings.verify, {b.name: b for b in rt.runbooks}
    planned = {a.runbook for a in incident.plan}
    window = next(
        (
            w
            for n in planned
            if n in books
            and incident.diagnosis
            and incident.diagnosis.root_cause
            and (w := verify_window(books[n], facts_of(incident.diagnosis, incident_id, None)))
        ),
        None,
    )
    settle = window.settle_seconds if window else cfg.settle_seconds
    length = window.window_seconds if window else cfg.window_seconds
    start = max(a.finished_at for a in executed) + timedelta(seconds=settle)
    end = start + timedelta(seconds=length)
    if (wait := (end - rt.clock.now()).total_seconds()) > 0:
        await rt.clock.sleep(wait)
    services = sorted(
        {a.service for a in executed} | ({incident.service} if incident.service else set())
    )
    after: dict[str, dict[str, Series]] = {}
    for source in rt.metrics:
        for service in services:
            signals = await source.service_signals(
                service, start, end, rt.settings.gather.step_seconds
            )
            after.setdefault(service, {}).update({k.value: v for k, v in signals.items()})
    verdict = judge(
        symptoms(incident.evidence, services), after, cfg.tolerance, (start, end), rt.clock.now()
    )
    if not verdict.recovered:
        undone = await _roll_back(rt, incident_id, executed, planned)
        verdict = verdict.model_copy(
            update={"rolled_back": True, "summary": f"{verdict.summary}; {undone}"}
        )
        carry = _next_round(rt, incident, carry, planned)
    rt.store.save_verification(incident_id, verdict)
    audit(rt, incident_id, "verification", {"verification": verdict.model_dump(mode="json")})
    rt.store.set_status(
        incident_id, IncidentStatus.RESOLVED if verdict.recovered else IncidentStatus.ESCALATED
    )
    more = " — diagnosing again" if carry.rediagnose else ""
    return Outcome(summary=verdict.summary + more, carry=carry)


async def _roll_back(
    rt: Runtime, incident_id: str, executed: list[ActionResult], planned: set[str]
) -> str:
    notes = []
    for action in reversed(executed):
        driver = rt.driver_for(action.kind, action.service)
        if driver is None:
            notes.append(f"no driver to roll back {action.kind}")
            continue
        try:
            if (state := rt.control.killswitch()).on:
                raise HaltedError(f"the kill switch is on ({state.reason or 'no reason given'})")
            undone = await driver.rollback(action)
        except ActionError as exc:
            audit(
                rt,
                incident_id,
                "rollback.failed",
                {"action": action.model_dump(mode="json"), "reason": str(exc)},
            )
            notes.append(
                f"{action.kind} NOT rolled back ({exc}); restore by hand: {action.pre_state}"
            )
            continue
        rt.store.save_action(incident_id, undone)
        audit(
            rt,
            incident_id,
            "rollback",
            {"result": undone.model_dump(mode="json")},
            actor=driver.name,
        )
        notes.append(f"rolled back {action.kind}")
    notes += await _runbook_undo(rt, incident_id, planned)
    return "; ".join(notes)


async def _runbook_undo(rt: Runtime, incident_id: str, planned: set[str]) -> list[str]:
    """Run the runbooks' own rollback steps (list form), through the kill switch, never twice."""
    incident, notes = rt.store.get(incident_id), list[str]()
    if incident.diagnosis is None or incident.diagnosis.root_cause is None:
        return notes
    facts = facts_of(incident.diagnosis, incident_id, None)
    for book in (b for b in rt.runbooks if b.name in planned):
        for step in rollback_steps(book, facts, incident_id):
            if rt.store.find_action(step.idempotency_key) is None:
                notes.append((await _act_once(rt, incident_id, step))[0])
    return notes


def _next_round(rt: Runtime, incident: Any, carry: Carry, planned: set[str]) -> Carry:
    cause = incident.diagnosis.root_cause if incident.diagnosis else None
    tried = (*carry.tried, f"{cause.kind}:{cause.service}") if cause else carry.tried
    more = carry.cycle + 1 < rt.settings.verify.max_cycles
    return carry.model_copy(
        update={
            "rediagnose": more,
            "tried": tried,
            "tried_runbooks": (*carry.tried_runbooks, *sorted(planned)),
        }
    )
