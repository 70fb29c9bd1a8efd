"""The bench's load driver against real loopback HTTP servers: it spreads connections over
several replicas and sends each its own Host header."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from nightowl_lab.eval.http_load import post_all, request_bytes


async def _counting_server(seen: Counter[str], idle: float = 60.0) -> asyncio.Server:
    """A keep-alive HTTP/1.1 server answering 202 to every POST (a body ``slow`` after 0.6 s),
    counting Host headers, closing a connection idle for ``idle`` seconds as uvicorn does."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), idle)
                fields = dict(
                    line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if line
                )
                body = await reader.readexactly(int(fields["Content-Length"]))
                if body == b"slow":
                    await asyncio.sleep(0.6)
                seen[fields["Host"]] += 1
                writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError):
            writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


@pytest.mark.asyncio
async def test_connections_are_spread_over_every_url() -> None:
    seen: Counter[str] = Counter()
    servers = [await _counting_server(seen) for _ in range(2)]
    urls = [f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}/hook" for s in servers]
    bodies = [b'{"n": %d}' % n for n in range(40)]
    try:
        latencies, errors, _ = await post_all(urls, bodies, {}, 4, lambda n: None)
    finally:
        for server in servers:
            server.close()
    assert (len(latencies), errors) == (40, 0)
    hosts = {url.split("/")[2] for url in urls}
    assert set(seen) == hosts  # each replica was addressed by its own name
    assert sum(seen.values()) == 40
    assert min(seen.values()) > 0


@pytest.mark.asyncio
async def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    # Request 2 waits for the slow request 0; meanwhile the server closes the idle connection
    # that carried request 1. Writing request 2 on it would lose it.
    seen: Counter[str] = Counter()
    server = await _counting_server(seen, idle=0.2)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
    try:
        _, errors, _ = await post_all(
            url, [b"slow", b"fast", b"next"], {}, 2, lambda n: None, depends_on=[(), (), (0,)]
        )
    finally:
        server.close()
    assert errors == 0
    assert sum(seen.values()) == 3  # each request arrived once


def test_request_bytes_is_a_complete_post() -> None:
    raw = request_bytes("http://127.0.0.1:9/x", b"{}", {"Authorization": "Bearer t"})
    assert raw.startswith(b"POST /x HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Length: 2\r\n")
    assert raw.endswith(b"Authorization: Bearer t\r\n\r\n{}")
