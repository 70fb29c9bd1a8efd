"""The HTTP backend every HTTP connector reads through: auth and headers as configured, and every
vendor failure translated into one ConnectorError line with the right retryability."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from nightowl.connectors.http import HttpBackend, HttpConfig, backend_message
from nightowl.errors import ConnectorError

Handler = Callable[[httpx.Request], httpx.Response]


def backend(handler: Handler, **options: object) -> HttpBackend:
    config = HttpConfig.model_validate({"url": "http://metrics.example:9090/", **options})
    return HttpBackend("prom", config, transport=httpx.MockTransport(handler))


def test_the_url_loses_its_trailing_slash_and_must_be_http() -> None:
    assert HttpConfig(url="https://x.example/api/").url == "https://x.example/api"
    with pytest.raises(ValidationError, match="not an http"):
        HttpConfig(url="ftp://x.example")


def test_a_token_and_configured_headers_are_sent() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "success"})

    http = backend(answer, token=SecretStr("t0ken"), headers={"X-Scope-OrgID": "team-a"})
    assert asyncio.run(http.get_json("/api/v1/query", {"query": "up"})) == {"status": "success"}
    (request,) = seen
    assert request.url == "http://metrics.example:9090/api/v1/query?query=up"
    assert request.headers["authorization"] == "Bearer t0ken"
    assert request.headers["x-scope-orgid"] == "team-a"


def test_basic_auth_and_a_json_post() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"hits": []})

    http = backend(answer, username="reader", password=SecretStr("pw"))
    assert asyncio.run(http.post_json("/_search", {"size": 1})) == {"hits": []}
    (request,) = seen
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"reader:pw").decode()
    assert json.loads(request.content) == {"size": 1}


@pytest.mark.parametrize(
    ("status", "retryable"), [(400, False), (404, False), (429, True), (500, True), (503, True)]
)
def test_an_error_status_carries_the_backends_message(status: int, retryable: bool) -> None:
    http = backend(lambda r: httpx.Response(status, json={"error": "parse error at char 3"}))
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(http.get_json("/api/v1/query"))
    assert caught.value.retryable is retryable
    assert str(caught.value).startswith(
        "connector 'prom': http://metrics.example:9090/api/v1/query"
    )
    assert f"answered {status}" in str(caught.value)
    assert "parse error at char 3" in str(caught.value)


def test_an_unreachable_backend_or_a_timeout_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(ConnectorError, match=r"cannot reach .*: connection refused") as refused:
        asyncio.run(backend(refuse).get_json("/"))
    with pytest.raises(ConnectorError, match=r"no answer from .* within 2.5s") as timed_out:
        asyncio.run(backend(slow, timeout_seconds=2.5).get_json("/"))
    assert refused.value.retryable
    assert timed_out.value.retryable


def test_a_body_that_is_not_json_is_a_permanent_error() -> None:
    http = backend(lambda r: httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(ConnectorError, match="not JSON: <html>login</html>") as caught:
        asyncio.run(http.get_json("/api/v1/query"))
    assert caught.value.retryable is False


def test_backend_message_prefers_the_json_error_and_fits_on_one_line() -> None:
    nested = httpx.Response(400, json={"error": {"reason": "index missing"}})
    assert backend_message(nested) == "index missing"
    assert backend_message(httpx.Response(500, text="line one\n  line two")) == "line one line two"
    assert backend_message(httpx.Response(502, text="")) == "(empty body)"
    long = backend_message(httpx.Response(500, text="x" * 1000))
    assert len(long) == 301
    assert long.endswith("…")
