"""What leaves the process through MCP: redacted by the process's Redactor (the settings' and the
connectors' secrets, credentials), cut at ``mcp.max_chars`` with a note; nightowl's own errors as
one line for the caller."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp.server.mcpserver.exceptions import ToolError

from nightowl.app import Nightowl
from nightowl.errors import NotFoundError
from nightowl.mcpserver.answers import answer, refusing
from nightowl.settings import Settings

SECRET = "mcp-test-secret-7f3a9c"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Nightowl]:
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "api": {"users": {"alice": SECRET}}, "mcp": {"max_chars": 1000}}
    )
    built = Nightowl(settings)
    yield built
    built.shutdown()


def test_secrets_and_credentials_are_redacted(app: Nightowl) -> None:
    text = answer(app, {"note": f"use {SECRET}", "header": "Authorization: Bearer abcdef123456"})
    assert SECRET not in text
    assert "abcdef123456" not in text
    assert '"note"' in text


def test_a_long_answer_is_cut_with_a_note_and_is_still_json(app: Nightowl) -> None:
    text = answer(app, ["x" * 5000])
    assert len(text) < 1200
    cut = json.loads(text)
    assert cut["truncated"].startswith("cut: ")
    assert "mcp.max_chars" in cut["truncated"]
    assert cut["text"].replace("\n", "").replace(" ", "").startswith('["xxx')


def test_nightowls_errors_reach_the_caller_as_one_redacted_line(app: Nightowl) -> None:
    async def fail() -> None:
        async with refusing(app):
            raise NotFoundError(f"no incident {SECRET!r}")

    with pytest.raises(ToolError) as raised:
        asyncio.run(fail())
    assert SECRET not in str(raised.value)
    assert "no incident" in str(raised.value)


def test_text_stays_text(app: Nightowl) -> None:
    assert answer(app, f"# Report\n\ntoken {SECRET}") == "# Report\n\ntoken [REDACTED]"
    long = answer(app, "y" * 5000)
    assert long.startswith("yyy")
    assert long.endswith("more characters (mcp.max_chars)]")
