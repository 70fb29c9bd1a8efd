"""``POST /api/v1/webhooks/{source}``: accept an alert notification, or reject it and keep it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from nightowl.api.deps import nightowl_of, webhook_sender
from nightowl.api.metrics import WEBHOOKS
from nightowl.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from nightowl.app import Nightowl

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


class Accepted(BaseModel):
    incident_id: str | None
    incidents: list[str] = []
    created: bool
    received: int = 0
    new_alerts: int
    updated: int = 0
    duplicates: int
    detail: str


class Rejected(BaseModel):
    error: str
    dead_letter_id: int | None


@router.post(
    "/{source}",
    status_code=202,
    response_model=Accepted,
    responses={
        401: {
            "model": Rejected,
            "description": "missing or wrong bearer token (kept as a dead letter)",
        },
        404: {"model": Rejected, "description": "unknown source"},
        413: {
            "model": Rejected,
            "description": "body too large (kept, truncated, as a dead letter)",
        },
        422: {"model": Rejected, "description": "malformed payload; the message names the field"},
    },
    summary="Receive an alert notification (Alertmanager webhook payload version 4)",
    dependencies=[Depends(webhook_sender)],
)
async def receive(source: str, request: Request) -> JSONResponse:
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    status, answer = await handle(nightowl_of(request), source, body, headers)
    return JSONResponse(answer, status_code=status)


async def handle(
    app: Nightowl, source: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """The whole endpoint as one function (status, JSON answer), shared by the FastAPI route and
    the fast path in ``fastpath.py``."""
    limit = app.settings.webhooks.max_body_bytes
    if len(body) > limit:
        error = InputError(f"body of {len(body)} bytes exceeds webhooks.max_body_bytes ({limit})")
        return _reject(app, source, error, body[:limit], headers, 413)
    try:
        result = await app.receive(source, body, headers)
    except NotFoundError as exc:
        return _reject(app, source, exc, body, headers, 404)
    except InputError as exc:
        return _reject(app, source, exc, body, headers, exc.status_code)
    WEBHOOKS.labels(source=source, outcome="accepted").inc()
    return 202, Accepted(**result.model_dump()).model_dump()


def _reject(
    app: Nightowl,
    source: str,
    error: Exception,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> tuple[int, dict[str, Any]]:
    dead = app.records.keep_dead_letter(source, str(error), body, headers)
    WEBHOOKS.labels(source=source, outcome="rejected").inc()
    log.info("rejected %s webhook (dead letter %s): %s", source, dead, error)
    return status, Rejected(error=str(error), dead_letter_id=dead).model_dump()
