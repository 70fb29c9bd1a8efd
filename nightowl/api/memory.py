"""Incident memory: similar past incidents, human feedback, and forgetting (docs/memory.md).

``GET /api/v1/incidents/{id}/similar`` (viewer), ``POST /api/v1/incidents/{id}/feedback``
(responder: confirm or correct the diagnosis, rate an action; the author is the token holder) and
``POST /api/v1/memory/forget`` (admin: one incident, one person's feedback, or everything older
than some days). Writes are audited by the use cases (``app/memory.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Security
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, allowed_to, nightowl_of
from nightowl.app.access import Act, Principal
from nightowl.app.memory import Forget
from nightowl.domain.memory import Feedback, Match, Verdict

router = APIRouter(tags=["memory"])
Judge = Annotated[Principal, Security(allowed_to(Act.FEEDBACK))]
Admin = Annotated[Principal, Security(allowed_to(Act.FORGET))]
Responses = dict[int | str, dict[str, Any]]
MISSING: Responses = {404: {"description": "no such incident"}}
BAD: Responses = {
    400: {"description": "the feedback or the request is incomplete (the message says what)"}
}


class FeedbackBody(BaseModel):
    verdict: Verdict = Field(description="confirm the diagnosis, correct it, or rate an action")
    kind: str | None = Field(
        default=None, max_length=100, description="correct: the true fault kind"
    )
    service: str | None = Field(
        default=None, max_length=200, description="correct: the true service"
    )
    action: str | None = Field(
        default=None, max_length=100, description="rate: the action kind (e.g. rollback)"
    )
    helped: bool | None = Field(default=None, description="rate: whether the action helped")
    note: str = Field(default="", max_length=2000)


class ForgetBody(BaseModel):
    incident_id: str | None = Field(default=None, max_length=200)
    person: str | None = Field(
        default=None, max_length=200, description="delete every judgement this person gave"
    )
    older_than_days: int | None = Field(default=None, ge=1, le=36500)


class Forgotten(BaseModel):
    deleted: int


@router.get(
    "/api/v1/incidents/{incident_id}/similar",
    response_model=list[Match],
    responses={**REFUSED, **MISSING},
    summary="Similar past incidents, best first (structural match, then full-text rank)",
)
async def similar(
    request: Request, incident_id: str, _: Reader, limit: int = Query(10, ge=1, le=100)
) -> list[Match]:
    memory = nightowl_of(request).records.memory
    return await run_in_threadpool(memory.similar, incident_id, limit=limit)


@router.post(
    "/api/v1/incidents/{incident_id}/feedback",
    status_code=201,
    response_model=Feedback,
    responses={**REFUSED, **MISSING, **BAD},
    summary="Confirm or correct the diagnosis, or rate an action (as the token holder; audited)",
)
async def feedback(request: Request, incident_id: str, body: FeedbackBody, me: Judge) -> Feedback:
    memory = nightowl_of(request).records.memory
    given = Feedback(
        incident_id=incident_id,
        author=me.name,
        at=nightowl_of(request).clock.now(),
        **body.model_dump(),
    )
    return await run_in_threadpool(memory.feedback, me, given)


@router.post(
    "/api/v1/memory/forget",
    response_model=Forgotten,
    responses={**REFUSED, **BAD},
    summary="Delete from incident memory: one incident, one person's feedback, or by age (audited)",
)
async def forget(request: Request, body: ForgetBody, me: Admin) -> Forgotten:
    memory = nightowl_of(request).records.memory
    what = Forget(**body.model_dump())
    return Forgotten(deleted=await run_in_threadpool(memory.forget, me, what))
