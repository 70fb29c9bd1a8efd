"""``nightowl serve``: the API and the web UI in one process, with intake and the workflows.

``run_server`` is the command's body, so that another front end (the lab's chaos harness) can serve
the same application after adjusting it (``configure`` sees it before it launches).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.markup import escape

from nightowl.cli.common import console, err_console
from nightowl.cli.summary import startup_summary
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
    return api


def print_summary(nightowl: Nightowl) -> None:
    """The startup summary on stdout, its warnings in bold on stderr (see ``cli/summary.py``)."""
    summary = startup_summary(nightowl)
    for line in summary.lines:
        console.print(line, markup=False, highlight=False)
    for warning in summary.warnings:
        err_console.print(f"[bold red]WARNING:[/] {escape(warning)}", highlight=False)


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
    print_summary(nightowl)
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
