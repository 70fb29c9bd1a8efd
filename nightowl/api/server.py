"""The FastAPI application over a Nightowl instance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

import nightowl
from nightowl.api import health, incidents, webhooks

if TYPE_CHECKING:
    from nightowl.app import Nightowl


def create_api(app: Nightowl | None, *, manage_lifecycle: bool = False) -> FastAPI:
    """Build the HTTP API. With ``manage_lifecycle``, the server launches and shuts down ``app``."""

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        if manage_lifecycle and app is not None:
            app.launch()
        try:
            yield
        finally:
            if manage_lifecycle and app is not None:
                app.shutdown()

    api = FastAPI(
        title="nightowl",
        version=nightowl.__version__,
        description="An open-source AI SRE: alerts in, diagnosis, safe remediation and reports out.",
        lifespan=lifespan,
    )
    api.state.nightowl = app
    api.include_router(webhooks.router)
    api.include_router(incidents.router)
    api.include_router(health.router)
    return api
