"""Just enough HTTP/1.1 for the sandbox programs: one request per connection, then close."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Handler = Callable[[str, str], Awaitable[tuple[int, str, str]]]
"""(method, path) → (status, content type, body)."""
REASONS = {
    200: "OK",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}
TIMED_OUT = 598
"""What ``get`` answers when no answer came within its timeout (not a status a server sends: a
caller tells its own timeout from a downstream's 504)."""


async def serve(handler: Handler, port: int) -> asyncio.Server:
    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            method, path, *_ = [*line.decode("latin-1").split(" "), "", ""]
            status, ctype, body = await handler(method, path)
            data = body.encode()
            head = (
                f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + data)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(on_connection, "127.0.0.1", port, backlog=1024)


async def get(port: int, path: str, timeout: float) -> int:
    """GET ``path`` on a loopback port; the status code (``TIMED_OUT`` when no answer came within
    ``timeout`` seconds, 599 when the call failed otherwise)."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n".encode()
                )
                await writer.drain()
                status = (await reader.readline()).split(b" ")
                await reader.read()
                return int(status[1]) if len(status) > 1 else 599
            finally:
                writer.close()
    except TimeoutError:
        return TIMED_OUT
    except (OSError, ValueError):
        return 599
