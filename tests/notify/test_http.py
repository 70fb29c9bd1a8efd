"""The HTTP notifiers' shared POST: JSON body and headers as given, the config's timeout, and a
missing answer raised as httpx.HTTPError for the notifier to turn into ``ok=False``."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from nightowl.clock import ScenarioClock
from nightowl.notify.http import HttpNotifier
from nightowl.notify.teams import TeamsConfig
from nightowl.notify.webhook import WebhookConfig

CLOCK = ScenarioClock(datetime(2026, 11, 20, 3, 10, tzinfo=UTC))


def test_post_json_sends_the_body_and_headers_within_the_configured_timeout() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, text="queued")

    config = WebhookConfig(url="http://hooks.example/x", timeout_seconds=1.5)
    notifier = HttpNotifier("hook", config, CLOCK, httpx.MockTransport(answer))
    response = asyncio.run(
        notifier.post_json(config.url, {"a": [1, 2]}, {"Authorization": "Bearer t"})
    )
    assert (response.status_code, response.text) == (202, "queued")
    (request,) = seen
    assert json.loads(request.content) == {"a": [1, 2]}
    assert request.headers["authorization"] == "Bearer t"
    assert request.headers["content-type"] == "application/json"
    assert request.extensions["timeout"]["read"] == 1.5


def test_post_json_raises_when_no_answer_comes() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    config = TeamsConfig(webhook_url=SecretStr("http://teams.example/hook"))
    notifier = HttpNotifier("teams", config, CLOCK, httpx.MockTransport(refuse))
    with pytest.raises(httpx.ConnectError):
        asyncio.run(notifier.post_json("http://teams.example/hook", {}))
