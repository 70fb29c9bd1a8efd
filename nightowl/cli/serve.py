"""``nightowl serve``: the API and the web UI in one process, with intake and the workflows.

``run_server`` is the command's body, so that another front end (the lab's chaos harness) can serve
the same application after adjusting it (``configure`` sees it before it launches). The socket is
bound before anything says "listening"; a port in use is one line and exit code 2.
"""

from __future__ import annotations

import errno
import gc
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.markup import escape

from nightowl.cli.common import console, err_console
from nightowl.cli.summary import startup_summary, unreachable
from nightowl.settings import LoggingSettings, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from nightowl.app import Nightowl

BACKLOG = 2048  # uvicorn's default


def application(nightowl: Nightowl) -> FastAPI:
    """The HTTP application ``nightowl serve`` runs (before the webhook fast path): the API, and
    the web UI beside it."""
    from nightowl.api.server import create_api
    from nightowl.ui import install

    api = create_api(nightowl, manage_lifecycle=True)
    install(api, nightowl)
    mount_mcp(api, nightowl)
    return api


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening; on failure, one line on stderr and
    ``typer.Exit(2)``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses
    # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on accepted sockets whose
    # proto says TCP; without it Nagle holds the response body (sent after its head) until the
    # client's delayed ACK, 40 ms later (docs/benchmarks.md, "Nagle").
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            _refuse(f"port {port} is in use: stop the other process or pass --port")
        if exc.errno == errno.EACCES:
            _refuse(f"no permission to listen on port {port}: pass a --port above 1023")
        _refuse(f"cannot listen on {host}:{port}: {exc.strerror or exc}; check --host and --port")
    sock.set_inheritable(True)
    return sock


def _refuse(message: str) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def with_logging(
    settings: Settings, level: str | None, fmt: str | None, access_log: bool | None
) -> Settings:
    """``settings`` with the given flags over its ``logging`` section, and logging configured."""
    from nightowl.logs import configure

    given = {
        "level": None if level is None else str(level),
        "format": None if fmt is None else str(fmt),
        "access_log": access_log,
    }
    merged = {**settings.logging.model_dump(), **{k: v for k, v in given.items() if v is not None}}
    chosen = LoggingSettings.model_validate(merged)
    configure(chosen.level, chosen.format)
    return settings.model_copy(update={"logging": chosen})


def with_role(settings: Settings, role: str | None) -> Settings:
    """``settings`` with ``--role`` over ``cluster.role`` (unchanged when it is not given)."""
    if role is None:
        return settings
    cluster = settings.cluster.model_copy(update={"role": role})
    return settings.model_copy(update={"cluster": cluster})


def print_summary(nightowl: Nightowl) -> None:
    """The startup summary on stdout, its warnings in bold on stderr (see ``cli/summary.py``)."""
    summary = startup_summary(nightowl)
    for line in summary.lines:
        console.print(line, markup=False, highlight=False)
    for warning in summary.warnings:
        err_console.print(f"[bold red]WARNING:[/] {escape(warning)}", highlight=False)


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


def check_connectors_on_start(api: FastAPI, nightowl: Nightowl) -> None:
    """Warn, once the server's loop runs and before it answers, of each connector that does not
    answer its health check (on that loop: connectors keep clients bound to it)."""
    outer = api.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with outer(app) as state:
            for warning in await unreachable(nightowl):
                err_console.print(f"[bold red]WARNING:[/] {escape(warning)}", highlight=False)
            yield state

    api.router.lifespan_context = lifespan


def freeze_what_started() -> None:
    """Move every object alive now (the modules, classes and clients of a started server: about
    300,000) out of the cyclic collector's reach, so that a full collection scans only what the
    server allocated since. Without it each full collection walked them all and held the event
    loop, and every request, for ~165 ms on this machine (docs/benchmarks.md, "collector").
    What is frozen is never freed, which for start-up objects is what a server wants anyway."""
    gc.collect()
    gc.freeze()


def _frozen_start_server() -> type:
    import uvicorn

    class FrozenStart(uvicorn.Server):
        """uvicorn's server, with start-up objects frozen once the lifespan has started."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            freeze_what_started()

    return FrozenStart


def run_server(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    configure: Callable[[Nightowl], None] | None = None,
) -> None:
    """Serve the API and the UI until stopped (uvicorn on ``host``:``port``); the access log
    when ``settings.logging.access_log``."""
    import uvicorn

    from nightowl.api.fastpath import WebhookFastPath
    from nightowl.app import Nightowl

    bind_host, bind_port = host or settings.server.host, port or settings.server.port
    sock = listen(bind_host, bind_port)
    try:
        nightowl = Nightowl(settings)
        if configure is not None:
            configure(nightowl)
        api = application(nightowl)
        if settings.cluster.role != "api":  # an API-only replica gathers nothing itself
            check_connectors_on_start(api, nightowl)
    except BaseException:
        sock.close()
        raise
    if settings.logging.access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    config = uvicorn.Config(
        WebhookFastPath(api, nightowl),
        log_config=None,  # nightowl.logs configured the root logger; uvicorn logs through it
        access_log=settings.logging.access_log,
    )
    print_summary(nightowl)
    console.print(
        f"nightowl listening on http://{bind_host}:{bind_port} "
        f"(role: {settings.cluster.role}, data: {settings.data_dir})"
    )
    _frozen_start_server()(config).run(sockets=[sock])
