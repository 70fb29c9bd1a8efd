"""The webhook driver against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from nightowl.actions.webhook import Hook, WebhookConfig, WebhookDriver
from nightowl.domain import ActionStatus
from nightowl.errors import ActionError
from tests.actions.conftest import action


class Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.received.append((self.path, dict(self.headers), body))
        status = 503 if self.path == "/broken" else 200
        payload = json.dumps({"job": "j-42", "ok": True, "nested": {"x": 1}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def driver(url: str, tmp_path: Path) -> WebhookDriver:
    hooks = {
        "failover": Hook(url=f"{url}/failover", rollback_url=f"{url}/failback", token="s3cret"),
        "broken": Hook(url=f"{url}/broken"),
    }
    return WebhookDriver("hooks", WebhookConfig(hooks=hooks), tmp_path)


def test_posts_once_with_an_idempotency_key_and_rolls_back(server: str, tmp_path: Path) -> None:
    hooks = driver(server, tmp_path)
    act = action("webhook", hook="failover")
    assert asyncio.run(hooks.apply(act, dry_run=True)).status is ActionStatus.DRY_RUN
    assert Recorder.received == []

    done = asyncio.run(hooks.apply(act, dry_run=False))
    asyncio.run(hooks.apply(act, dry_run=False))
    undone = asyncio.run(hooks.rollback(done))

    assert done.status is ActionStatus.SUCCEEDED
    assert done.post_state.flat() == {"status_code": 200, "job": "j-42", "ok": True}
    [(path, headers, body), (undo_path, _, undo_body)] = Recorder.received
    assert (path, headers["Idempotency-Key"], headers["Authorization"]) == (
        "/failover",
        "key-1",
        "Bearer s3cret",
    )
    assert body["service"] == "checkout"
    assert body["params"]["hook"] == "failover"
    assert (undo_path, undo_body["undo"]) == ("/failback", "key-1")
    assert undone.status is ActionStatus.ROLLED_BACK


def test_unknown_hooks_are_refused_and_5xx_is_retryable(server: str, tmp_path: Path) -> None:
    hooks = driver(server, tmp_path)
    with pytest.raises(ActionError, match="not configured"):
        asyncio.run(hooks.apply(action("webhook", hook="delete_namespace"), dry_run=False))
    with pytest.raises(ActionError, match="503") as caught:
        asyncio.run(hooks.apply(action("webhook", key="k2", hook="broken"), dry_run=False))
    assert caught.value.retryable
