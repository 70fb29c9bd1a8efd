"""Per-client rate limits: the limiter's arithmetic, and the middleware in front of the UI's login
form and the documented webhook route (the fast path's own check is in test_fastpath.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from nightowl.api.ratelimit import RateLimiter
from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.settings import RateLimits
from nightowl.ui import install
from tests.conftest import SettingsFactory


def test_each_client_has_its_own_allowance() -> None:
    limiter = RateLimiter(RateLimits(webhooks="2/minute", login=""))

    alice = [limiter.check("webhooks", "10.0.0.1") for _ in range(3)]
    bob = limiter.check("webhooks", "10.0.0.2")

    assert alice[:2] == [None, None]
    assert alice[2] is not None
    assert 1 <= alice[2] <= 60
    assert bob is None
    assert limiter.check("login", "10.0.0.1") is None  # an empty rule limits nothing


def test_an_invalid_rule_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ValueError, match="rate_limits"):
        RateLimits(webhooks="lots per second")


def test_login_attempts_over_the_limit_are_429_before_any_password_is_checked(
    tmp_path: Path, settings_for: SettingsFactory
) -> None:
    settings = settings_for(tmp_path, webhooks={"rate_limits": {"login": "3/minute"}})
    app = Nightowl(settings)
    api = create_api(app)
    install(api, app)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=api, client=("198.51.100.4", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            form = {"username": "alice", "password": "guess", "csrf": "x"}
            return [await client.post("/ui/login", data=form) for _ in range(5)]

    try:
        responses = asyncio.run(main())
    finally:
        app.shutdown()

    assert [r.status_code for r in responses] == [303, 303, 303, 429, 429]
    assert int(responses[3].headers["retry-after"]) >= 1
    assert "webhooks.rate_limits.login" in responses[3].json()["error"]


def test_the_documented_webhook_route_is_limited_too(
    tmp_path: Path, settings_for: SettingsFactory
) -> None:
    settings = settings_for(tmp_path, webhooks={"rate_limits": {"webhooks": "2/minute"}})
    app = Nightowl(settings)

    async def main() -> list[int]:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return [
                (await client.post("/api/v1/webhooks/alertmanager", content=b"{}")).status_code
                for _ in range(3)
            ]

    try:
        codes = asyncio.run(main())
    finally:
        app.shutdown()

    assert codes == [401, 401, 429]
