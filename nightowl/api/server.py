"""The FastAPI application over a Nightowl instance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import nightowl
from nightowl.api import (
    approvals,
    deploys,
    health,
    incidents,
    killswitch,
    kpis,
    silences,
    slack,
    webhooks,
)
from nightowl.api.headers import SecurityHeaders
from nightowl.errors import InputError, NightowlError, NotFoundError

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
    )
    api.state.nightowl = app
    api.add_middleware(SecurityHeaders)  # CSP, no framing, nosniff: on the UI's pages too
    api.add_exception_handler(InputError, _input_error)
    api.add_exception_handler(NotFoundError, _input_error)
    api.include_router(webhooks.router)
    api.include_router(incidents.router)
    api.include_router(deploys.router)
    api.include_router(health.router)
    api.include_router(silences.router)
    api.include_router(approvals.router)
    api.include_router(killswitch.router)
    api.include_router(kpis.router)
    api.include_router(slack.router)
    if app is not None:
        kpis.bind(app)  # the agent's KPIs on /metrics
    return api


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    """A user's mistake: its status code and one clear message, never a traceback."""
    status = int(getattr(exc, "status_code", 400))
    message = str(exc) if isinstance(exc, NightowlError) else "bad request"
    return JSONResponse({"error": message}, status_code=status)
