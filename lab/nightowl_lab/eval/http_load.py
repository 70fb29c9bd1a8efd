"""A minimal HTTP/1.1 load driver over asyncio streams (keep-alive, one request in flight per
connection). The benchmarks measure servers, so the client must cost far less than they do: httpx
spends more per request than a fast server does, which would cap both servers at the client's rate.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

IDLE_SECONDS = 4.0
"""A connection idle longer than this is replaced before it is used: servers close idle
keep-alive connections (uvicorn after 5 s), and a request written as the server closes would be
lost in between (a real client retries it; this one must not send anything twice)."""


def request_bytes(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The raw HTTP/1.1 POST of ``body`` to ``url`` with ``headers``, keep-alive, ready to send."""
    return request_head(url, len(body), headers) + body


def request_head(url: str, length: int, headers: dict[str, str]) -> bytes:
    """The request line and headers of a keep-alive HTTP/1.1 POST of ``length`` bytes."""
    parts = urlsplit(url)
    lines = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {length}",
        "Connection: keep-alive",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


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


def _heads(
    urls: Sequence[str], bodies: Sequence[bytes], headers: dict[str, str]
) -> list[dict[int, bytes]]:
    """Per URL, a head per body length: each replica sees its own Host, no body is copied."""
    return [{n: request_head(u, n, headers) for n in {len(b) for b in bodies}} for u in urls]


async def post_all(
    url: str | Sequence[str],
    bodies: Sequence[bytes],
    headers: dict[str, str],
    concurrency: int,
    progress: Callable[[int], None],
    depends_on: Sequence[tuple[int, ...]] | None = None,
) -> tuple[list[float], int, float]:
    """POST every body; a request waits for the requests it depends on. (latencies ms, errors, s)

    Several URLs (replicas of one server) share the load: connection ``i`` goes to URL
    ``i mod n`` and keeps it, as a round-robin balancer of keep-alive connections does.
    """
    urls = [url] if isinstance(url, str) else list(url)
    heads = _heads(urls, bodies, headers)
    done = [asyncio.Event() for _ in bodies]
    latencies: list[float] = []
    errors = 0
    next_index = 0

    async def worker(number: int) -> None:
        nonlocal errors, next_index
        target = number % len(urls)
        parts = urlsplit(urls[target])
        address = (parts.hostname, parts.port or 80)
        reader, writer = await asyncio.open_connection(*address)
        answered = time.monotonic()
        try:
            while next_index < len(bodies):
                index = next_index
                next_index += 1
                for dep in depends_on[index] if depends_on else ():
                    await done[dep].wait()
                if reader.at_eof() or time.monotonic() - answered > IDLE_SECONDS:
                    writer.close()  # the server closes idle keep-alive connections: a new one
                    reader, writer = await asyncio.open_connection(*address)
                started = time.perf_counter()
                writer.writelines((heads[target][len(bodies[index])], bodies[index]))
                status = await _read_response(reader)
                latencies.append((time.perf_counter() - started) * 1000)
                answered = time.monotonic()
                done[index].set()
                errors += status >= 300
                progress(1)
        finally:
            writer.close()

    # The driver's own full collections (it holds the workloads and the lab's imports: ~200,000
    # objects) paused every request in flight for ~140 ms, charged to the server measured:
    # collect before the clock starts and keep what exists out of the collector's reach meanwhile.
    gc.collect()
    gc.freeze()
    try:
        began = time.perf_counter()
        await asyncio.gather(*[worker(n) for n in range(concurrency)])
        return latencies, errors, time.perf_counter() - began
    finally:
        gc.unfreeze()
