"""The HTTP notifiers' shared POST: JSON body and headers as given, the config's timeout, and a
missing answer raised as httpx.HTTPError for the notifier to turn into ``ok=False``."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from nightowl.clock import ScenarioClock
from nightowl.errors import NotifyError
from nightowl.notify.http import HttpNotifier
from nightowl.notify.slack import SlackConfig, SlackNotifier
from nightowl.notify.teams import TeamsConfig, TeamsNotifier
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


def test_check_sends_only_a_head_request_and_any_answer_is_reachable() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(405)

    hook = "https://hooks.slack.example/services/T0/B0/S3CR3T"
    config = SlackConfig(webhook_url=SecretStr(hook))
    asyncio.run(SlackNotifier("slack", config, CLOCK, httpx.MockTransport(answer)).check())
    (request,) = seen
    assert (request.method, str(request.url), request.content) == ("HEAD", hook, b"")


def test_check_names_scheme_and_host_only_when_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    config = TeamsConfig(webhook_url=SecretStr("https://teams.example:8443/hook/S3CR3T"))
    notifier = TeamsNotifier("teams", config, CLOCK, httpx.MockTransport(refuse))
    with pytest.raises(NotifyError) as raised:
        asyncio.run(notifier.check())
    assert str(raised.value) == (
        "notifier 'teams': cannot reach https://teams.example:8443: ConnectError"
    )


@pytest.mark.parametrize("url", ["hooks.example/x", "ftp://hooks.example/x", "https://"])
def test_a_notifier_url_that_is_not_http_is_refused_without_showing_it(url: str) -> None:
    with pytest.raises(
        ValidationError, match=r"not an http:// or https:// URL with a host \(not shown"
    ) as raised:
        WebhookConfig(url=url)
    assert f"'{url}' is not" not in str(raised.value)
