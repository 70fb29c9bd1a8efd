"""``POST /api/v1/deploys``: a CI pipeline tells nightowl about a deploy; ``GET`` lists them.

Recording is ingest: authenticated like webhooks, as the source ``deploys``
(``webhooks.tokens.deploys`` or ``*``). Listing takes a person's token (``api.users``).
Recording is idempotent (same service, version and time → the same record), so a pipeline may
retry. A rejected body is answered with a 4xx; it is kept as a dead letter only when its sender
authenticated (the token is checked before the body is read).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from nightowl.api.bodies import read_capped
from nightowl.api.deps import REFUSED, Reader, nightowl_of, webhook_sender
from nightowl.domain import Deploy
from nightowl.errors import InputError, PayloadError

log = logging.getLogger(__name__)
SOURCE = "deploys"
MAX_BODY_BYTES = 64 * 1024

router = APIRouter(prefix="/api/v1/deploys", tags=["deploys"])


class DeployIn(BaseModel):
    """A deploy as a pipeline reports it; ``at`` defaults to the time it is received."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(min_length=1, max_length=200)
    version: str = Field(min_length=1, max_length=200)
    previous_version: str | None = Field(default=None, max_length=200)
    commit: str | None = Field(default=None, max_length=100)
    author: str | None = Field(default=None, max_length=200)
    summary: str | None = None
    at: datetime | None = Field(default=None, description="ISO 8601 with a time zone.")
    source: str = Field(default="api", max_length=100)


class RecordedOut(BaseModel):
    id: int
    created: bool
    deploy: Deploy


class Rejected(BaseModel):
    error: str
    dead_letter_id: int | None


@router.post(
    "",
    status_code=201,
    response_model=RecordedOut,
    responses={
        200: {"model": RecordedOut, "description": "already recorded (idempotent retry)"},
        401: {"model": Rejected, "description": "missing or wrong bearer token (not stored)"},
        413: {"model": Rejected, "description": "body too large"},
        422: {"model": Rejected, "description": "malformed deploy; the message names the field"},
    },
    summary="Record a deploy (from a CI pipeline)",
    dependencies=[Depends(webhook_sender)],
)
async def record(request: Request) -> JSONResponse:
    app = nightowl_of(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        sender = app.authenticate(SOURCE, headers)
        declared = headers.get("content-length")
        body = await read_capped(request.stream(), MAX_BODY_BYTES, declared, setting="the limit")
    except InputError as exc:  # not authenticated, or no body to keep: answered, not stored
        log.info("refused deploy: %s", exc)
        return JSONResponse(
            Rejected(error=str(exc), dead_letter_id=None).model_dump(), exc.status_code
        )
    try:
        deploy = _parse(body, app.clock.now())
    except InputError as exc:
        dead = app.records.keep_dead_letter(SOURCE, exc, body, headers, sender=sender)
        log.info("rejected deploy (dead letter %s): %s", dead, exc)
        return JSONResponse(
            Rejected(error=str(exc), dead_letter_id=dead).model_dump(), exc.status_code
        )
    result = await app.record_deploy(deploy)
    out = RecordedOut(id=result.id, created=result.created, deploy=result.deploy)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if result.created else 200)


@router.get(
    "",
    response_model=list[Deploy],
    responses=REFUSED,
    summary="Deploys recorded in a window, oldest first",
)
async def list_deploys(
    request: Request,
    _: Reader,
    start: Annotated[datetime, Query(description="ISO 8601 with a time zone")],
    end: Annotated[datetime, Query(description="ISO 8601 with a time zone")],
    service: str | None = None,
    limit: int = Query(1000, ge=1, le=10000),
) -> list[Deploy]:
    app = nightowl_of(request)
    return await run_in_threadpool(app.records.deploys, service, _aware(start), _aware(end), limit)


def _parse(body: bytes, now: datetime) -> Deploy:
    try:
        given = DeployIn.model_validate_json(body)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"])) or "body"
        raise PayloadError(str(err["msg"]), source=SOURCE, field=where) from None
    if given.at is not None and given.at.tzinfo is None:
        raise PayloadError(
            "give a time zone (e.g. 2026-11-20T03:05:00Z)", source=SOURCE, field="at"
        )
    return Deploy(**given.model_dump(exclude={"at"}), at=given.at or now)


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
