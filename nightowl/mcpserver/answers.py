"""How a tool's answer leaves the process: JSON, redacted, bounded; errors as one clear line.

Every tool and resource returns through ``answer``: the process's ``Redactor`` removes every
secret it knows and the patterns of credentials; an answer longer than ``mcp.max_chars`` is cut
there, and a JSON one is still sent as JSON (the cut text as a ``text`` string beside a
``truncated`` note: cut JSON would be no JSON at all). ``refusing`` turns nightowl's own errors into a ``ToolError`` whose
message, redacted too, reaches the caller — never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

from nightowl.app.nightowl import Nightowl
from nightowl.errors import NightowlError


def answer(app: Nightowl, data: object) -> str:
    """``data`` (a model, a list of models, plain JSON, or text such as a report's Markdown) as
    redacted, bounded text: JSON for all but text."""
    limit = app.settings.mcp.max_chars
    if isinstance(data, str):
        text = app.redactor(data)
        cut = f"\n… [cut: {len(text) - limit} more characters (mcp.max_chars)]"
        return text if len(text) <= limit else text[:limit] + cut
    if isinstance(data, BaseModel):
        text = data.model_dump_json(indent=1)
    elif isinstance(data, list) and all(isinstance(d, BaseModel) for d in data):
        text = "[" + ",\n".join(d.model_dump_json() for d in data) + "]"
    else:
        text = json.dumps(data, indent=1, default=str)
    text = app.redactor(text)
    if len(text) <= limit:
        return text
    note = f"cut: {len(text) - limit} more characters (mcp.max_chars)"
    return json.dumps({"truncated": note, "text": text[:limit]}, indent=1)


@asynccontextmanager
async def refusing(app: Nightowl) -> AsyncIterator[None]:
    """nightowl's errors (refused roles, bad input, unknown ids) as a ToolError the client
    is shown."""
    try:
        yield
    except NightowlError as exc:
        raise ToolError(app.redactor(str(exc))) from None
