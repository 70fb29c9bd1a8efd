"""The built-in notifiers without an external server run the kit's NotifierContract."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from nightowl.clock import ScenarioClock
from nightowl.notify.file import FileConfig, FileNotifier
from nightowl.notify.webhook import WebhookConfig, WebhookNotifier
from nightowl.testing.contracts import NotifierContract

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
URL = "https://hooks.example.com/services/T000/B000/s3cr3t-path-token"


class TestFileNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self, tmp_path: Path) -> FileNotifier:
        return FileNotifier("file", FileConfig(path=tmp_path / "out.jsonl"), ScenarioClock(AT))

    @pytest.fixture
    def failing_notifier(self, tmp_path: Path) -> FileNotifier:
        blocked = tmp_path / "a-file"
        blocked.write_text("not a directory")
        return FileNotifier("file", FileConfig(path=blocked / "out.jsonl"), ScenarioClock(AT))


def _webhook(answer: httpx.MockTransport) -> WebhookNotifier:
    config = WebhookConfig(url=URL, token="hook-bearer-secret")  # type: ignore[arg-type]
    return WebhookNotifier("hook", config, ScenarioClock(AT), transport=answer)


class TestWebhookNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self) -> WebhookNotifier:
        return _webhook(httpx.MockTransport(lambda r: httpx.Response(200)))

    @pytest.fixture
    def failing_notifier(self) -> WebhookNotifier:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        return _webhook(httpx.MockTransport(refuse))

    @pytest.fixture
    def notifier_secrets(self) -> list[str]:
        return ["s3cr3t-path-token", "hook-bearer-secret"]
