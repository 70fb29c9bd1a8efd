"""Building ActionResults the same way in every driver."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from nightowl.domain import ActionResult, ActionSpec, ActionState, ActionStatus, BlastRadius, Scalar


def now() -> datetime:
    """The time a driver stamps its results with (UTC)."""
    return datetime.now(UTC)


def result(
    action: ActionSpec,
    driver: str,
    status: ActionStatus,
    started: datetime,
    *,
    pre: Mapping[str, Scalar],
    post: Mapping[str, Scalar],
    message: str,
    radius: BlastRadius | None = None,
) -> ActionResult:
    """The ActionResult of ``action`` performed by ``driver``: its key, the states before and
    after, the outcome's sentence, and the blast radius when measured; finished now.
    """
    return ActionResult(
        kind=action.kind,
        service=action.service,
        idempotency_key=action.idempotency_key,
        driver=driver,
        status=status,
        dry_run=status is ActionStatus.DRY_RUN,
        started_at=started,
        finished_at=now(),
        pre_state=dict(pre),
        post_state=dict(post),
        message=message,
        blast_radius=radius,
    )


def dry_run_result(
    action: ActionSpec,
    driver: str,
    started: datetime,
    *,
    pre: Mapping[str, Scalar],
    plan: str,
    post: Mapping[str, Scalar] | None = None,
    radius: BlastRadius | None = None,
) -> ActionResult:
    """What a dry run records: the state read, what would be done, nothing changed (``post``
    defaults to ``pre``)."""
    return result(
        action,
        driver,
        ActionStatus.DRY_RUN,
        started,
        pre=pre,
        post=pre if post is None else post,
        message=f"dry run: would {plan}",
        radius=radius,
    )


def rolled_back(
    done: ActionResult, driver: str, started: datetime, post: Mapping[str, Scalar], message: str
) -> ActionResult:
    """The record of undoing ``done``: the state before the undo is what ``done`` left."""
    return done.model_copy(
        update={
            "driver": driver,
            "status": ActionStatus.ROLLED_BACK,
            "started_at": started,
            "finished_at": now(),
            "pre_state": done.post_state,
            "post_state": ActionState.model_validate(dict(post)),
            "message": message,
        }
    )
