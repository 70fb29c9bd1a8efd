"""Request bodies read within a limit: refused on their declared length, cut off while streaming.

A body is never read whole before its size is known to be acceptable: a ``Content-Length`` above
the limit is refused before the first byte is read, and a body without one (chunked) is read
chunk by chunk and refused as soon as it passes the limit, so one request holds at most
``limit`` bytes in memory, whatever it sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

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
