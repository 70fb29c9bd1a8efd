"""The FastAPI application over a Nightowl instance.

Every route but ``/healthz`` authenticates its caller (``deps.py``); FastAPI's own public
``/docs`` and ``/openapi.json`` are off, and the OpenAPI document is served to token holders
(the UI adds a ``/docs`` of its own, behind its login, from local files: ``ui/docs.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import nightowl
from nightowl.api import (
    approvals,
    deploy_risk,
    deploys,
    findings,
    graph,
    health,
    incidents,
    killswitch,
    kpis,
    memory,
    silences,
    slack,
    webhooks,
)
from nightowl.api.bodies import BodyLimit
from nightowl.api.deps import Reader
from nightowl.api.headers import SecurityHeaders
from nightowl.api.ratelimit import RateLimit, RateLimiter
from nightowl.errors import InputError, NightowlError, NotFoundError
from nightowl.settings import RateLimits, Settings

if TYPE_CHECKING:
    from nightowl.app import Nightowl


def create_api(app: Nightowl | None, *, manage_lifecycle: bool = False) -> FastAPI:
    """Build the HTTP API. With ``manage_lifecycle``, the server launches and shuts down ``app``."""

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        if manage_lifecycle and app is not None:
            app.launch()
            await app.start_background()
        try:
            yield
        finally:
            if manage_lifecycle and app is not None:
                await app.stop_background()
                app.shutdown()

    api = FastAPI(
        title="nightowl",
        version=nightowl.__version__,
        description="An open-source AI SRE: alerts in, diagnosis, safe remediation and reports out.",
        lifespan=lifespan,
        openapi_url=None,  # served below, to token holders only
        docs_url=None,
        redoc_url=None,
    )
    api.state.nightowl = app
    limiter = RateLimiter(app.settings.webhooks.rate_limits if app else RateLimits())
    api.state.rate_limiter = limiter  # shared with the webhook fast path
    limit = (app.settings if app else Settings()).server.max_body_bytes
    api.add_middleware(BodyLimit, limit=limit)
    api.add_middleware(
        RateLimit, limiter=limiter
    )  # before the body is read: a flood is refused first
    api.add_middleware(SecurityHeaders)  # CSP, no framing, nosniff: on the UI's pages too
    api.add_exception_handler(InputError, _input_error)
    api.add_exception_handler(NotFoundError, _input_error)
    api.include_router(webhooks.router)
    api.include_router(incidents.router)
    api.include_router(deploys.router)
    api.include_router(deploy_risk.router)
    api.include_router(graph.router)
    api.include_router(health.router)
    api.include_router(silences.router)
    api.include_router(approvals.router)
    api.include_router(findings.router)
    api.include_router(killswitch.router)
    api.include_router(kpis.router)
    api.include_router(memory.router)
    api.include_router(slack.router)
    if app is not None:
        kpis.bind(app)  # the agent's KPIs on /metrics

    @api.get("/openapi.json", include_in_schema=False)
    async def openapi_document(_: Reader) -> JSONResponse:
        return JSONResponse(api.openapi())

    return api


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    """A user's mistake: its status code and one clear message, never a traceback."""
    status = int(getattr(exc, "status_code", 400))
    message = str(exc) if isinstance(exc, NightowlError) else "bad request"
    return JSONResponse({"error": message}, status_code=status)
