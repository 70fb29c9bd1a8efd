"""HTTP access to a backend, with vendor failures translated at the boundary.

``HttpBackend`` sends one request per call through httpx (a fresh client each time, so a connector
works from any event loop), and turns every failure into one ConnectorError line naming the
connector, the URL and what the backend answered: unreachable, timed out, an HTTP error status with
the backend's own message, or a body that is not JSON. 5xx, 429 and network failures are retryable;
other 4xx are not. Tests inject an ``httpx.MockTransport`` through ``transport``.
"""

from __future__ import annotations

import json
import ssl
from typing import Any

import certifi
import httpx
from pydantic import Field, SecretStr, field_validator

from nightowl.connectors.base import ConnectorConfig
from nightowl.errors import ConnectorError

MAX_SHOWN = 300


class HttpConfig(ConnectorConfig):
    """Options of every HTTP connector."""

    url: str
    timeout_seconds: float = Field(default=10.0, gt=0)
    token: SecretStr | None = Field(default=None, description="Sent as 'Authorization: Bearer'.")
    username: str | None = None
    password: SecretStr | None = None
    headers: dict[str, str] = {}
    verify_tls: bool = True
    ca_file: str | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value.rstrip("/")


class HttpBackend:
    """Requests to one backend. Safe to share between tasks; holds no connection between calls."""

    def __init__(
        self,
        connector: str,
        config: HttpConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.connector = connector
        self.config = config
        self.transport = transport
        self.headers = {**config.headers, **(headers or {})}
        if config.token is not None:
            self.headers.setdefault("Authorization", f"Bearer {config.token.get_secret_value()}")
        self._tls: ssl.SSLContext | None = None

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """TLS verification, its context built once (building one per request costs ~50 ms)."""
        if not self.config.verify_tls or not self.config.url.startswith("https://"):
            return False  # plain HTTP: no TLS to verify, and no context to build
        if self._tls is None:
            self._tls = ssl.create_default_context(cafile=self.config.ca_file or certifi.where())
        return self._tls

    @property
    def url(self) -> str:
        """The backend's base URL, for messages."""
        return self.config.url

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` and read JSON; ConnectorError (not retryable) when the answer is not
        JSON.
        """
        return _json(self, path, await self.request("GET", path, params=params))

    async def post_json(self, path: str, body: Any, params: dict[str, Any] | None = None) -> Any:
        """POST ``body`` as JSON to ``path`` and read JSON back."""
        return _json(self, path, await self.request("POST", path, params=params, json=body))

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one request with the configured auth, headers, TLS and timeout.

        Every failure is a ConnectorError naming the URL: unreachable, no answer in time, or an
        error status with the backend's own message; 429 and 5xx are retryable, other 4xx are
        not. Never retries by itself.
        """
        url = self.config.url + path
        auth = None
        if self.config.username is not None:
            password = self.config.password.get_secret_value() if self.config.password else ""
            auth = httpx.BasicAuth(self.config.username, password)
        try:
            async with httpx.AsyncClient(
                transport=self.transport,
                timeout=self.config.timeout_seconds,
                headers=self.headers,
                auth=auth,
                verify=self.verify,
            ) as client:
                response = await client.request(method, url, params=params, json=json)
        except httpx.ConnectError as exc:
            raise self.error(f"cannot reach {url}: {_reason(exc)}") from None
        except httpx.TimeoutException:
            raise self.error(
                f"no answer from {url} within {self.config.timeout_seconds:g}s"
            ) from None
        except httpx.HTTPError as exc:
            raise self.error(f"request to {url} failed: {_reason(exc)}") from None
        if response.status_code >= 400:
            retryable = response.status_code >= 500 or response.status_code == 429
            raise self.error(
                f"{url} answered {response.status_code} {response.reason_phrase}: "
                f"{backend_message(response)}",
                retryable=retryable,
            )
        return response

    def error(self, message: str, *, retryable: bool = True) -> ConnectorError:
        """A ConnectorError from this backend (retryable unless told otherwise)."""
        return ConnectorError(message, connector=self.connector, retryable=retryable)


def backend_message(response: httpx.Response) -> str:
    """The backend's own explanation, on one line: a JSON error field if any, else the text."""
    text = response.text
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message", "msg", "detail"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("reason") or value.get("message") or json.dumps(value)
            if value:
                text = str(value)
                break
    text = " ".join(text.split())
    return (text[:MAX_SHOWN] + "…") if len(text) > MAX_SHOWN else (text or "(empty body)")


def _json(backend: HttpBackend, path: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise backend.error(
            f"{backend.url}{path} answered with something that is not JSON: "
            f"{backend_message(response)}",
            retryable=False,
        ) from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
