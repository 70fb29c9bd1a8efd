"""Who is calling an MCP tool: the bearer token's holder over HTTP, the local user over stdio.

Over HTTP, ``BearerAuth`` (an ASGI middleware in front of the MCP app) answers 401 to a request
without an ``api.users`` token — the same tokens, and so the same roles, as the API — and puts the
``Principal`` in the request's scope, where ``principal_of`` finds it for every tool call. Over
stdio there is no request: the server is started by a person on their own machine, who acts as
the CLI does (``$NIGHTOWL_TOKEN``'s holder, else the operating-system user with ``cli.users``'s
role), fixed when the server starts.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from nightowl.app.access import Principal, token_principal
from nightowl.settings import Settings

SCOPE_KEY = "nightowl.principal"
UNAUTHENTICATED = "send 'Authorization: Bearer <token>' with a token from api.users"


class BearerAuth:
    """ASGI middleware: 401 without an ``api.users`` bearer token; the caller in the scope."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        principal = self._principal(scope)
        if principal is None:
            body = json.dumps({"detail": UNAUTHENTICATED}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b"Bearer"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app({**scope, SCOPE_KEY: principal}, receive, send)

    def _principal(self, scope: Scope) -> Principal | None:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and token.strip():
                    return token_principal(self.settings, token.strip(), via="mcp-token")
        return None


def principal_of(request: Any, local: Principal | None) -> Principal | None:
    """The caller of one tool call: the one ``BearerAuth`` put in the HTTP request's scope, else
    the stdio server's ``local`` principal; None when neither (refused by the caller)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and isinstance(scope.get(SCOPE_KEY), Principal):
        found: Principal = scope[SCOPE_KEY]
        return found
    return local
