"""``/api/v1/silences``: create, list and expire silences (Alertmanager semantics)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import nightowl_of
from nightowl.domain import Silence
from nightowl.errors import InputError, NotFoundError
from nightowl.intake.matchers import parse_matchers

router = APIRouter(prefix="/api/v1/silences", tags=["silences"])


class NewSilence(BaseModel):
    matchers: list[str] = Field(
        min_length=1, description='e.g. ["alertname=\\"HighLatency\\"", "service=~\\"check.*\\""]'
    )
    starts_at: datetime | None = Field(default=None, description="default: now")
    ends_at: datetime | None = Field(
        default=None, description="default: starts_at + duration_minutes"
    )
    duration_minutes: float = Field(default=120, gt=0)
    created_by: str
    comment: str


@router.post("", status_code=201, response_model=Silence, summary="Create a silence")
async def create(request: Request, body: NewSilence) -> Silence:
    app = nightowl_of(request)
    app.authenticate("silences", {k.lower(): v for k, v in request.headers.items()})
    try:
        matchers = tuple(m for text in body.matchers for m in parse_matchers(text))
        starts = body.starts_at or app.clock.now()
        ends = body.ends_at or starts + timedelta(minutes=body.duration_minutes)
        return await run_in_threadpool(
            app.intake.add_silence, matchers, starts, ends, body.created_by, body.comment
        )
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("", response_model=list[Silence], summary="List silences, newest first")
async def list_silences(request: Request, active: bool = False) -> list[Silence]:
    app = nightowl_of(request)
    return await run_in_threadpool(app.records.silences, active=active)


@router.delete("/{silence_id}", response_model=Silence, summary="Expire a silence now")
async def expire(request: Request, silence_id: str) -> Silence:
    app = nightowl_of(request)
    app.authenticate("silences", {k.lower(): v for k, v in request.headers.items()})
    try:
        return await run_in_threadpool(app.intake.expire_silence, silence_id)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
