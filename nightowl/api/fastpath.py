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

from nightowl.api.bodies import ClientGone, asgi_chunks
from nightowl.api.ratelimit import RateLimiter, client_of, too_many
from nightowl.api.webhooks import handle

if TYPE_CHECKING:
    from fastapi import FastAPI

    from nightowl.app import Nightowl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
PREFIX = "/api/v1/webhooks/"


class WebhookFastPath:
    """Answers webhook posts itself (rate limit, then ``handle``); passes the rest to ``inner``,
    whose rate limiter (``create_api`` keeps it on ``api.state``) it shares."""

    def __init__(self, inner: FastAPI, nightowl: Nightowl) -> None:
        self.inner = inner
        self.nightowl = nightowl
        self.limiter: RateLimiter = inner.state.rate_limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or not path.startswith(PREFIX):
            await self.inner(scope, receive, send)
            return
        source = path[len(PREFIX) :]
        if not source or "/" in source:
            await self.inner(scope, receive, send)
            return
        wait = self.limiter.check("webhooks", client_of(scope))
        if wait is not None:
            await too_many(send, self.limiter, "webhooks", wait)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            status, answer = await handle(self.nightowl, source, headers, asgi_chunks(receive))
        except ClientGone:
            return  # nothing to answer, nothing was stored
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
