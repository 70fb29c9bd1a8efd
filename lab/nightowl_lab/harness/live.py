"""Run the UI for real: an in-process uvicorn server on a loopback port, and Debian's Chromium.

Used by ``python -m nightowl_lab.harness.screenshots`` and by the browser tests. Chromium is the Debian
package (``apt-get install chromium``; ``scripts/install-services.sh``), driven by Playwright
through ``executable_path`` — Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import uvicorn
from fastapi import FastAPI

from nightowl.ui.web import install
from nightowl_lab.harness.ports import free_port

if TYPE_CHECKING:
    from nightowl.app import Nightowl

T = TypeVar("T")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_path() -> str | None:
    """Debian's Chromium on PATH, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def standalone(app: Nightowl) -> FastAPI:
    """The UI alone (no HTTP API), launching ``app`` with the server and shutting it down after."""

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        app.launch()
        await app.start_background()
        try:
            yield
        finally:
            await app.stop_background()
            app.shutdown()

    api = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    install(api, app)
    return api


class LiveServer:
    """Serve an ASGI application on 127.0.0.1 in a background thread (``with LiveServer(api)``)."""

    def __init__(self, asgi: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(asgi, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, name="nightowl-ui-server", daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coro`` on the server's event loop (where the application lives) and wait."""
        assert self.loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the UI server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
