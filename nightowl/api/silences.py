"""``/api/v1/silences``: create, list and expire silences (Alertmanager semantics).

A silence mutes paging, so it takes a person: a bearer token from ``api.users`` whose role allows
``Act.SILENCE`` (webhook tokens only ingest). The silence is created by, and audited as, that
person; a ``created_by`` naming anyone else is refused (403), not trusted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Security
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, allowed_to, nightowl_of
from nightowl.app.access import Act, Principal
from nightowl.domain import Silence
from nightowl.errors import ForbiddenError, InputError, NotFoundError
from nightowl.intake.matchers import parse_matchers

router = APIRouter(prefix="/api/v1/silences", tags=["silences"])
Silencer = Annotated[Principal, Security(allowed_to(Act.SILENCE))]


class NewSilence(BaseModel):
    matchers: list[str] = Field(
        min_length=1, description='e.g. ["alertname=\\"HighLatency\\"", "service=~\\"check.*\\""]'
    )
    starts_at: datetime | None = Field(default=None, description="default: now")
    ends_at: datetime | None = Field(
        default=None, description="default: starts_at + duration_minutes"
    )
    duration_minutes: float = Field(default=120, gt=0)
    created_by: str | None = Field(
        default=None,
        description="The token holder (the default); any other name is refused with 403.",
    )
    comment: str


@router.post(
    "",
    status_code=201,
    response_model=Silence,
    responses={**REFUSED, 422: {"description": "a matcher or time is malformed"}},
    summary="Create a silence (as the token holder; audited)",
)
async def create(request: Request, body: NewSilence, me: Silencer) -> Silence:
    if body.created_by is not None and body.created_by != me.name:
        raise ForbiddenError(
            f"created_by {body.created_by!r} is not you ({me.name}): a silence is created by "
            "the token holder; omit created_by"
        )
    app = nightowl_of(request)
    try:
        matchers = tuple(m for text in body.matchers for m in parse_matchers(text))
        starts = body.starts_at or app.clock.now()
        ends = body.ends_at or starts + timedelta(minutes=body.duration_minutes)
        return await run_in_threadpool(app.add_silence, matchers, starts, ends, me, body.comment)
    except ForbiddenError:
        raise
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get(
    "", response_model=list[Silence], responses=REFUSED, summary="List silences, newest first"
)
async def list_silences(request: Request, _: Reader, active: bool = False) -> list[Silence]:
    app = nightowl_of(request)
    return await run_in_threadpool(app.records.silences, active=active)


@router.delete(
    "/{silence_id}",
    response_model=Silence,
    responses={**REFUSED, 404: {"description": "no such silence"}},
    summary="Expire a silence now (as the token holder; audited)",
)
async def expire(request: Request, silence_id: str, me: Silencer) -> Silence:
    app = nightowl_of(request)
    try:
        return await run_in_threadpool(app.expire_silence, silence_id, me)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
