"""``nightowl serve``: the API and the web UI in one process, with intake and the workflows.

``run_server`` is the command's body, so that another front end (the lab's chaos harness) can serve
the same application after adjusting it (``configure`` sees it before it launches).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from nightowl.cli.common import console
from nightowl.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from nightowl.app import Nightowl


def application(nightowl: Nightowl) -> FastAPI:
    """The HTTP application ``nightowl serve`` runs (before the webhook fast path): the API, and
    the web UI beside it."""
    from nightowl.api.server import create_api
    from nightowl.ui import install

    api = create_api(nightowl, manage_lifecycle=True)
    install(api, nightowl)
    mount_mcp(api, nightowl)
    return api


def mount_mcp(api: FastAPI, nightowl: Nightowl) -> None:
    """nightowl's MCP server over streamable HTTP at ``mcp.path``, behind the API's tokens (when
    ``mcp.enabled`` and the mcp extra is installed), its sessions running while the server runs."""
    settings = nightowl.settings.mcp
    if not settings.enabled:
        return
    try:
        from nightowl.mcpserver.server import guarded, http_app, running
    except ImportError:
        console.print(
            f"[yellow]warning:[/] MCP is not served at {settings.path}: "
            "pip install 'nightowl[mcp]' (or set mcp.enabled: false)"
        )
        return
    server, asgi = http_app(nightowl)
    api.mount(settings.path, guarded(nightowl, asgi))
    outer = api.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with running(server), outer(app) as state:
            yield state

    api.router.lifespan_context = lifespan


def run_server(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    configure: Callable[[Nightowl], None] | None = None,
) -> None:
    """Serve the API and the UI until stopped (uvicorn on ``host``:``port``)."""
    import uvicorn

    from nightowl.api.fastpath import WebhookFastPath
    from nightowl.app import Nightowl

    nightowl = Nightowl(settings)
    if configure is not None:
        configure(nightowl)
    api = application(nightowl)
    bind_host, bind_port = host or settings.server.host, port or settings.server.port
    if not settings.webhook_tokens("alertmanager"):
        console.print(
            "[yellow]warning:[/] no webhook token configured; webhooks will be refused. "
            "Set NIGHTOWL_WEBHOOK_TOKEN or webhooks.tokens."
        )
    console.print(
        f"nightowl listening on http://{bind_host}:{bind_port} (data: {settings.data_dir})"
    )
    uvicorn.run(
        WebhookFastPath(api, nightowl),
        host=bind_host,
        port=bind_port,
        log_level="warning",
        access_log=False,
    )
