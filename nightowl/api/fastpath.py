"""The webhook endpoint without the framework's per-request machinery.

Alert senders call one endpoint thousands of times a second; FastAPI's routing, dependency and
middleware layers cost more per request than the intake work for one alert (measured in
docs/benchmarks.md). This ASGI wrapper answers ``POST /api/v1/webhooks/{source}`` itself, with the
same handler as the documented FastAPI route, and passes every other request to the application.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import orjson

from nightowl.api.webhooks import handle

if TYPE_CHECKING:
    from nightowl.app import Nightowl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
PREFIX = "/api/v1/webhooks/"


class WebhookFastPath:
    def __init__(self, inner: ASGIApp, nightowl: Nightowl) -> None:
        self.inner = inner
        self.nightowl = nightowl

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or not path.startswith(PREFIX):
            await self.inner(scope, receive, send)
            return
        source = path[len(PREFIX) :]
        if not source or "/" in source:
            await self.inner(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status, answer = await handle(self.nightowl, source, b"".join(chunks), headers)
        body = orjson.dumps(answer)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
