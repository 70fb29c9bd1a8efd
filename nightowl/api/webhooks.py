"""``POST /api/v1/webhooks/{source}``: accept an alert notification, or refuse it.

A refusal from an authenticated sender is kept (a dead letter, to replay after a fix); one from
anyone else is counted on ``/metrics`` and answered, never stored.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from nightowl.api.bodies import BodyTooLarge, read_capped
from nightowl.api.deps import nightowl_of, webhook_sender
from nightowl.api.metrics import UNKNOWN, WEBHOOKS
from nightowl.errors import AuthError, InputError
from nightowl.sources.auth import reads_body
from nightowl.sources.registry import SOURCES
from nightowl.telemetry import meters, span

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
        400: {"model": Rejected, "description": "a Content-Length that is not a number"},
        401: {
            "model": Rejected,
            "description": "missing or wrong credentials (counted, never stored)",
        },
        404: {"model": Rejected, "description": "unknown source (counted, never stored)"},
        413: {
            "model": Rejected,
            "description": "body over webhooks.max_body_bytes (refused before it is read whole)",
        },
        422: {
            "model": Rejected,
            "description": "malformed payload; the message names the field (kept as a dead letter)",
        },
        429: {"model": Rejected, "description": "over the client's rate limit; see Retry-After"},
    },
    summary="Receive an alert notification (Alertmanager webhook payload version 4)",
    dependencies=[Depends(webhook_sender)],
)
async def receive(source: str, request: Request) -> JSONResponse:
    headers = {k.lower(): v for k, v in request.headers.items()}
    status, answer = await handle(nightowl_of(request), source, headers, request.stream())
    return JSONResponse(answer, status_code=status)


async def handle(
    app: Nightowl, source: str, headers: dict[str, str], chunks: AsyncIterator[bytes]
) -> tuple[int, dict[str, Any]]:
    """The whole endpoint as one function (status, JSON answer), shared by the FastAPI route and
    the fast path in ``fastpath.py``: ``_handle`` in a ``webhook`` span (the trace of the
    incidents it opens), its latency observed."""
    name = source if source in app.sources else UNKNOWN
    with (
        meters.timed(meters.WEBHOOK_SECONDS.labels(name)),
        span("webhook", {"nightowl.webhook.source": name}) as traced,
    ):
        status, answer = await _handle(app, source, headers, chunks)
        traced.set("http.response.status_code", status)
        traced.set("nightowl.webhook.incidents", list(answer.get("incidents") or []))
        if status >= 400:
            traced.fail(str(answer.get("error", ""))[:300])
        return status, answer


async def _handle(
    app: Nightowl, source: str, headers: dict[str, str], chunks: AsyncIterator[bytes]
) -> tuple[int, dict[str, Any]]:
    """The endpoint's steps.

    In order: an unknown source is refused; credentials carried in headers are checked before
    the body is read; the body is read within ``webhooks.max_body_bytes``; an HMAC signature is
    checked on the body. Whatever fails up to here is counted and answered, never stored: anyone
    can send it. Only a body from an authenticated sender that then fails to parse is kept as a
    dead letter. ClientGone propagates (no one to answer).
    """
    if source not in app.sources:
        WEBHOOKS.labels(source=UNKNOWN, outcome="unknown_source").inc()
        error = f"unknown alert source {source[:100]!r}; known sources: {', '.join(SOURCES)}"
        return 404, Rejected(error=error, dead_letter_id=None).model_dump()
    sender = None
    try:
        if not reads_body(source, app.settings):
            sender = app.authenticate(source, headers)
        limit = app.settings.webhooks.max_body_bytes
        body = await read_capped(
            chunks,
            limit,
            headers.get("content-length"),
            setting="webhooks.max_body_bytes",
            keep_prefix=sender is not None,
        )
        if sender is None:
            sender = app.authenticate(source, headers, body)
    except BodyTooLarge as exc:
        if sender is None:
            return _refuse(source, exc, "too_large")
        return _reject(app, source, exc, exc.prefix, headers, sender)
    except AuthError as exc:
        return _refuse(source, exc, "unauthenticated")
    except InputError as exc:
        return _refuse(source, exc, "bad_request")
    try:
        result = await app.accept(source, body, headers)
    except InputError as exc:
        return _reject(app, source, exc, body, headers, sender)
    WEBHOOKS.labels(source=source, outcome="accepted").inc()
    return 202, Accepted(**result.model_dump()).model_dump()


def _refuse(source: str, error: InputError, outcome: str) -> tuple[int, dict[str, Any]]:
    """Answered and counted, not stored: the sender has not shown who it is."""
    WEBHOOKS.labels(source=source, outcome=outcome).inc()
    log.info("refused %s webhook (%s): %s", source, outcome, error)
    return error.status_code, Rejected(error=str(error), dead_letter_id=None).model_dump()


def _reject(
    app: Nightowl,
    source: str,
    error: InputError,
    body: bytes,
    headers: dict[str, str],
    sender: str,
) -> tuple[int, dict[str, Any]]:
    """An authenticated sender's bad request: kept as a dead letter for a fix and a replay."""
    dead = app.records.keep_dead_letter(source, error, body, headers, sender=sender)
    WEBHOOKS.labels(source=source, outcome="rejected").inc()
    log.info("rejected %s webhook (dead letter %s): %s", source, dead, error)
    return error.status_code, Rejected(error=str(error), dead_letter_id=dead).model_dump()
