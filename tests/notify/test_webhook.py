"""The webhook notifier POSTs to a real loopback server; a delivery failure comes back as
``ok=False``, never as an exception."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from nightowl.clock import ScenarioClock
from nightowl.notify.protocol import Message
from nightowl.notify.webhook import WebhookConfig, WebhookNotifier

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)
SECRET = "notify-secret-token"


def message(incident_id: str = "inc-1") -> Message:
    return Message(
        incident_id=incident_id,
        title="HighLatency on checkout",
        status="resolved",
        text="bad_deploy on checkout (0.97)",
        report_path="/tmp/reports/inc-1.md",
    )


@dataclass
class Received:
    """What the loopback server saw, and how it should answer."""

    status: int = 204
    hold: threading.Event | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    """A real HTTP server on 127.0.0.1 (an ephemeral port), in a thread."""
    seen = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            seen.requests.append(
                {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": self.rfile.read(length),
                }
            )
            if seen.hold is not None:
                seen.hold.wait(timeout=10)
            self.send_response(seen.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/nightowl", seen
    finally:
        if seen.hold is not None:
            seen.hold.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def notifier(url: str, token: str | None = None, timeout: float = 5.0) -> WebhookNotifier:
    config = WebhookConfig(
        url=url, token=SecretStr(token) if token else None, timeout_seconds=timeout
    )
    return WebhookNotifier("hook", config, ScenarioClock(AT))


def refused_url() -> str:
    """A loopback port nobody listens on: bound, then closed without listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def test_the_webhook_notifier_posts_json_with_the_bearer_token(
    receiver: tuple[str, Received],
) -> None:
    url, seen = receiver

    note = asyncio.run(notifier(url, token=SECRET).send(message()))

    assert note.ok is True
    assert note.channel == "hook"
    assert note.detail == f"POST {origin(url)} answered 204"
    assert SECRET not in note.detail
    [request] = seen.requests
    assert request["path"] == "/hooks/nightowl"
    assert request["headers"]["authorization"] == f"Bearer {SECRET}"
    assert request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"]) == message().model_dump(mode="json")


def test_the_webhook_notifier_sends_no_authorization_without_a_token(
    receiver: tuple[str, Received],
) -> None:
    url, seen = receiver

    asyncio.run(notifier(url).send(message()))

    assert "authorization" not in seen.requests[0]["headers"]


def test_an_error_answer_is_not_ok(receiver: tuple[str, Received]) -> None:
    url, seen = receiver
    seen.status = 503

    note = asyncio.run(notifier(url, token=SECRET).send(message()))

    assert note.ok is False
    assert note.detail == f"POST {origin(url)} answered 503"


def test_a_refused_connection_is_not_ok_and_does_not_raise() -> None:
    url = refused_url()

    note = asyncio.run(notifier(url, token=SECRET).send(message()))

    assert note.ok is False
    assert note.detail.startswith(f"POST {origin(url)} failed:")
    assert SECRET not in note.detail


def test_a_receiver_that_does_not_answer_in_time_is_not_ok(
    receiver: tuple[str, Received],
) -> None:
    url, seen = receiver
    seen.hold = threading.Event()

    note = asyncio.run(notifier(url, timeout=0.2).send(message()))

    assert note.ok is False
    assert note.detail.startswith(f"POST {origin(url)} failed")


def test_secrets_in_the_url_are_not_repeated_in_the_detail() -> None:
    port = refused_url().split(":")[2].split("/")[0]
    url = f"http://user:pw-secret@127.0.0.1:{port}/hook?token=query-secret"

    note = asyncio.run(notifier(url).send(message()))

    assert note.ok is False
    assert "pw-secret" not in note.detail
    assert "query-secret" not in note.detail


def origin(url: str) -> str:
    """What the detail shows of a URL: scheme, host and port — never a path, query or password."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")
