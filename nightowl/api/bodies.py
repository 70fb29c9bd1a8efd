"""Request bodies read within a limit: refused on their declared length, cut off while streaming.

A body is never read whole before its size is known to be acceptable: a ``Content-Length`` above
the limit is refused before the first byte is read, and a body without one (chunked) is read
chunk by chunk and refused as soon as it passes the limit, so one request holds at most
``limit`` bytes in memory, whatever it sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from nightowl.errors import InputError


class BodyTooLarge(InputError):
    """The body is over the limit. ``prefix`` holds what was read before stopping (at most the
    limit; empty when the declared length alone refused it)."""

    status_code = 413

    def __init__(self, message: str, prefix: bytes = b"") -> None:
        self.prefix = prefix
        super().__init__(message)


class ClientGone(Exception):
    """The client disconnected before sending its whole body: there is no one to answer."""


async def read_capped(
    chunks: AsyncIterator[bytes],
    limit: int,
    declared: str | None,
    *,
    setting: str,
    keep_prefix: bool = False,
) -> bytes:
    """The whole body from ``chunks``, or BodyTooLarge (413) once it passes ``limit`` bytes;
    InputError (400) for a ``Content-Length`` that is not a number. ``setting`` names the limit
    in the error, so the sender knows what to ask for.

    A declared length over the limit is refused before reading, unless ``keep_prefix`` (for a
    sender already authenticated, whose body is kept): then the first ``limit`` bytes are read
    into the error's ``prefix`` and the rest is left unread.
    """
    too_long = None
    if declared is not None:
        if not declared.strip().isdigit():
            raise InputError(f"Content-Length {declared[:40]!r} is not a number of bytes")
        if int(declared) > limit:
            too_long = f"body of {int(declared)} bytes exceeds {setting} ({limit})"
            if not keep_prefix:
                raise BodyTooLarge(too_long)
    body = bytearray()
    async for chunk in chunks:
        if len(body) + len(chunk) > limit:
            prefix = bytes(body) + chunk[: limit - len(body)]
            raise BodyTooLarge(too_long or f"body exceeds {setting} ({limit} bytes)", prefix)
        body += chunk
    if too_long is not None:  # it declared more than it sent
        raise BodyTooLarge(too_long, bytes(body))
    return bytes(body)


Message = MutableMapping[str, Any]


async def asgi_chunks(receive: Callable[[], Awaitable[Message]]) -> AsyncIterator[bytes]:
    """The body chunks of an ASGI request, as they arrive; ClientGone if it disconnects."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]
OWN_LIMIT = ("/api/v1/webhooks/", "/api/v1/deploys")
"""Routes that read their bodies with ``read_capped`` and a limit of their own."""


class BodyLimit:
    """ASGI middleware: every other route's body is bounded by ``server.max_body_bytes``.

    A declared length over the limit is answered 413 before the app runs; a body that passes the
    limit while streaming ends there (the app sees a disconnect, so it reads no further) and is
    answered 413 instead of whatever the app made of the cut-off body.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(OWN_LIMIT):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen, over, started = 0, False, False

        async def bounded_receive() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                over = True
                return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the app's answer to a cut-off body: replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, watched_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _too_large(send, self.limit)


async def _too_large(send: Send, limit: int) -> None:
    error = f"the body exceeds server.max_body_bytes ({limit} bytes); send less"
    body = orjson.dumps({"error": error})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
