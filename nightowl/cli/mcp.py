"""``nightowl mcp``: nightowl's MCP server on stdin/stdout, for an assistant or IDE on this machine.

The server acts as the person who starts it, as every CLI command does (``$NIGHTOWL_TOKEN``'s
holder, else the operating-system user with the role ``cli.users`` gives them). It builds the whole
application (connectors, runbooks, policy) but runs no workflow: approvals it records wake the
incident's workflow in the ``nightowl serve`` that runs it. Over HTTP the same server is mounted by
``nightowl serve`` at ``mcp.path``.
"""

from __future__ import annotations

import asyncio

from nightowl.cli.common import identity, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt
from nightowl.errors import ConfigError


def mcp_cmd(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Serve nightowl over MCP on stdin/stdout (for Claude Desktop, an IDE, an agent)."""
    from nightowl.app import Nightowl

    with user_errors():
        try:
            from nightowl.mcpserver.server import run_stdio
        except ImportError as exc:
            raise ConfigError(
                f"the MCP server needs the mcp extra ({exc.name} is missing): "
                "pip install 'nightowl[mcp]'"
            ) from None
        settings = settings_from(config, data_dir)
        local = identity(settings)
        app = Nightowl(settings)
        try:
            asyncio.run(run_stdio(app, local))
        finally:
            app.shutdown()
