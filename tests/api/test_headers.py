"""Security headers on every answer of the API (the UI's pages are covered in tests/ui)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from nightowl.api.headers import CSP
from nightowl.api.server import create_api


def get(path: str) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(None))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await client.get(path)

    return asyncio.run(main())


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc", "/no/such/route"])
def test_api_answers_carry_the_security_headers(path: str) -> None:
    answer = get(path)

    assert answer.headers["content-security-policy"] == CSP
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
