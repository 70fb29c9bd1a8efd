"""Bodies read within a limit: ``read_capped`` on its own, and ``BodyLimit`` in front of every
route that has no limit of its own (here the silences API and the Slack endpoint)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from nightowl.api.bodies import BodyTooLarge, read_capped
from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.errors import InputError
from tests.conftest import SettingsFactory


class Chunks:
    """``count`` chunks of ``size`` bytes, counting how many were asked for."""

    def __init__(self, count: int, size: int = 1000) -> None:
        self.count, self.size, self.read = count, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.read += 1
            yield b"x" * self.size


def read(chunks: Chunks, limit: int, declared: str | None, keep: bool = False) -> bytes:
    return asyncio.run(read_capped(chunks, limit, declared, setting="the limit", keep_prefix=keep))


def test_a_body_within_the_limit_is_read_whole() -> None:
    assert read(Chunks(5), 5000, "5000") == b"x" * 5000


def test_a_declared_length_over_the_limit_reads_nothing() -> None:
    chunks = Chunks(100)

    with pytest.raises(BodyTooLarge, match="body of 100000 bytes exceeds the limit") as caught:
        read(chunks, 5000, "100000")

    assert chunks.read == 0
    assert caught.value.prefix == b""


def test_an_authenticated_oversize_body_keeps_the_first_limit_bytes_only() -> None:
    chunks = Chunks(100)

    with pytest.raises(BodyTooLarge) as caught:
        read(chunks, 5500, "100000", keep=True)

    assert caught.value.prefix == b"x" * 5500
    assert chunks.read == 6


def test_a_streamed_body_stops_at_the_limit() -> None:
    chunks = Chunks(100)

    with pytest.raises(BodyTooLarge, match="exceeds the limit"):
        read(chunks, 5000, None)

    assert chunks.read == 6


def test_a_content_length_that_is_not_a_number_is_input_error() -> None:
    with pytest.raises(InputError, match="not a number of bytes"):
        read(Chunks(1), 5000, "-1")


@pytest.mark.parametrize("declared", [True, False])
def test_other_routes_are_bounded_by_server_max_body_bytes(
    tmp_path: Path, settings_for: SettingsFactory, declared: bool
) -> None:
    app = Nightowl(settings_for(tmp_path, server={"max_body_bytes": 4096}))
    chunks = Chunks(10_000)
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(10_000 * 1000)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            silences = await client.post("/api/v1/silences", content=chunks, headers=headers)
            slack = await client.post(
                "/api/v1/integrations/slack/interactions", content=Chunks(100)
            )
            return [silences, slack]

    try:
        responses = asyncio.run(main())
    finally:
        app.shutdown()

    assert [r.status_code for r in responses] == [413, 413]
    assert "server.max_body_bytes (4096 bytes)" in responses[0].json()["error"]
    assert chunks.read <= 5
