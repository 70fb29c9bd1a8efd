"""The URL checks of the settings: absolute http(s) URLs with a host; secrets never shown."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from nightowl.settings.base import http_url, secret_http_url


@pytest.mark.parametrize(
    "url", ["http://nightowl.example", "https://10.0.0.1:8443/ui", "http://[::1]:8080/"]
)
def test_http_urls_with_a_host_pass(url: str) -> None:
    assert http_url(url) == url
    assert secret_http_url(SecretStr(url)).get_secret_value() == url


@pytest.mark.parametrize(
    "url", ["nightowl.example", "ftp://nightowl.example", "http://", "http://h:99999", "/ui"]
)
def test_anything_else_is_named_or_hidden(url: str) -> None:
    with pytest.raises(ValueError, match=f"^'{url}' is not an http"):
        http_url(url)
    with pytest.raises(
        ValueError, match=r"^is not an http:// or https:// URL with a host \(not shown"
    ) as raised:
        secret_http_url(SecretStr(url))
    assert str(raised.value) == (
        "is not an http:// or https:// URL with a host (not shown: may be secret)"
    )


def test_none_is_no_url() -> None:
    assert http_url(None) is None
    assert secret_http_url(None) is None
