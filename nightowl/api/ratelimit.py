"""Per-client rate limits: webhooks and logins, one limiter, answered 429 with Retry-After.

The counting is the ``limits`` library's (the one behind slowapi and Flask-Limiter): a sliding
window counter per (rule, client) in process memory, O(1) per request, whose keys expire on their
own, so a flood of clients cannot grow it without bound. It was preferred to a hand-written token
bucket because it is well kept, already handles expiry and several windows per rule
("5000/second;100000/hour"), and reports when a window resets, which is the Retry-After. A client
is its IP address (behind a reverse proxy, every client is the proxy: rate-limit there).

``RateLimit`` is a plain ASGI middleware, so it covers the FastAPI routes and the UI's login form
alike; the webhook fast path, which answers before the FastAPI app, asks the same limiter itself.
Safe within one event loop (the storage takes a lock of its own).
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from nightowl.api.metrics import RATE_LIMITED
from nightowl.settings import RateLimits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ROUTES = (
    ("POST", "/api/v1/webhooks/", "webhooks"),
    ("POST", "/api/v1/deploys", "webhooks"),
    ("POST", "/ui/login", "login"),
)
"""(method, path prefix, rule): which requests count against which rule."""


class RateLimiter:
    """The configured rules (``webhooks.rate_limits``) and their counters."""

    def __init__(self, rules: RateLimits) -> None:
        self.texts = {name: text for name, text in rules.model_dump().items() if text.strip()}
        self._rules: dict[str, list[RateLimitItem]] = {
            name: parse_many(text) for name, text in self.texts.items()
        }
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def check(self, rule: str, client: str) -> float | None:
        """Count one request of ``client`` under ``rule``: None if allowed, else the seconds to
        wait. One ``hit`` per window (checked and counted at once, ~13 µs); a request refused by
        a later window has still been counted by the earlier ones."""
        for item in self._rules.get(rule, ()):
            if not self._limiter.hit(item, rule, client):
                reset = self._limiter.get_window_stats(item, rule, client).reset_time
                RATE_LIMITED.labels(rule=rule).inc()
                return max(1.0, reset - time.time())
        return None


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def rule_for(scope: Scope) -> str | None:
    method, path = scope.get("method"), scope.get("path", "")
    return next((r for m, p, r in ROUTES if method == m and path.startswith(p)), None)


async def too_many(send: Send, limiter: RateLimiter, rule: str, wait: float) -> None:
    """The 429 answer: what was exceeded, and when to try again."""
    seconds = math.ceil(wait)
    error = (
        f"too many requests from this client: over webhooks.rate_limits.{rule} "
        f"({limiter.texts.get(rule, '')}); retry after {seconds} s"
    )
    body = orjson.dumps({"error": error, "dead_letter_id": None})
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(seconds).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """ASGI middleware: a request over its rule's limit is answered 429 and goes no further."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (rule := rule_for(scope)) is not None:
            wait = self.limiter.check(rule, client_of(scope))
            if wait is not None:
                await too_many(send, self.limiter, rule, wait)
                return
        await self.app(scope, receive, send)
