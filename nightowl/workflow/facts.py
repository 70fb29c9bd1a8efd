"""Gathering what the gate needs to judge one action: the kill switch, the driver's dry-run preview
(pre-state, post-state, blast radius), and the write counts the circuit breakers read."""

from __future__ import annotations

from datetime import timedelta

from nightowl.domain import ActionResult, ActionSpec, BlastRadius
from nightowl.errors import ActionError
from nightowl.policy.facts import READ_ONLY_KINDS, Facts
from nightowl.runbooks.model import Runbook
from nightowl.store.control import KillSwitch
from nightowl.workflow.runtime import Runtime


async def gather_facts(
    rt: Runtime,
    incident_id: str,
    action: ActionSpec,
    books: dict[str, Runbook],
    killswitch: KillSwitch,
) -> tuple[Facts, ActionResult | None]:
    """The facts about ``action`` and its dry-run preview (None when there is none)."""
    now = rt.clock.now()
    book = books.get(action.runbook)
    base = Facts(
        action=action,
        incident_id=incident_id,
        at=now,
        killswitch=killswitch.on,
        killswitch_reason=killswitch.reason,
        runbook_requires_approval=bool(book and book.requires_approval),
        writes_service_last_hour=rt.control.writes_for_service(
            action.service, now - timedelta(hours=1)
        ),
        writes_incident=rt.control.writes_for_incident(incident_id),
    )
    if action.kind in READ_ONLY_KINDS:
        return base, None
    driver = rt.driver_for(action.kind, action.service)
    if driver is None:
        return base.model_copy(update={"driver_available": False}), None
    try:
        preview = await driver.apply(action, dry_run=True)
    except ActionError as exc:
        update = {"preview_error": str(exc), "preview_retryable": exc.retryable}
        return base.model_copy(update=update), None
    return base.model_copy(update={"blast_radius": radius_of(preview, action)}), preview


def radius_of(preview: ActionResult, action: ActionSpec) -> BlastRadius | None:
    """The driver's blast radius, or one derived from the replica counts it reported — or, when
    its dry run reports no change, from the replica count or factor the action asks for."""
    if preview.blast_radius is not None:
        return preview.blast_radius
    before, after = preview.pre_state.get("replicas"), preview.post_state.get("replicas")
    if isinstance(before, int) and after == before:
        if action.params.get("replicas") is not None:
            after = int(action.params["replicas"] or 0)
        elif action.params.get("factor") is not None:
            after = max(1, round(before * float(action.params["factor"] or 1)))
    if isinstance(before, int) and isinstance(after, int):
        removed = max(0, before - after)
        return BlastRadius(
            replicas_before=before,
            replicas_after=after,
            pods_at_once=removed,
            capacity_fraction=removed / before if before else 0.0,
            summary=f"{before} → {after} replicas",
        )
    return None
