"""A minimal HTTP/1.1 load driver over asyncio streams (keep-alive, one request in flight per
connection). The benchmarks measure servers, so the client must cost far less than they do: httpx
spends more per request than a fast server does, which would cap both servers at the client's rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit


def request_bytes(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The raw HTTP/1.1 POST of ``body`` to ``url`` with ``headers``, keep-alive, ready to send."""
    parts = urlsplit(url)
    lines = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {len(body)}",
        "Connection: keep-alive",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length, chunked = 0, False
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def post_all(
    url: str,
    bodies: Sequence[bytes],
    headers: dict[str, str],
    concurrency: int,
    progress: Callable[[int], None],
    depends_on: Sequence[tuple[int, ...]] | None = None,
) -> tuple[list[float], int, float]:
    """POST every body; a request waits for the requests it depends on. (latencies ms, errors, s)"""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [request_bytes(url, b, headers) for b in bodies]
    done = [asyncio.Event() for _ in bodies]
    latencies: list[float] = []
    errors = 0
    next_index = 0

    async def worker() -> None:
        nonlocal errors, next_index
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while next_index < len(requests):
                index = next_index
                next_index += 1
                for dep in depends_on[index] if depends_on else ():
                    await done[dep].wait()
                started = time.perf_counter()
                writer.write(requests[index])
                status = await _read_response(reader)
                latencies.append((time.perf_counter() - started) * 1000)
                done[index].set()
                errors += status >= 300
                progress(1)
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    return latencies, errors, time.perf_counter() - began
