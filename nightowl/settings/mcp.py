"""Settings of nightowl's MCP server (``nightowl mcp`` and ``/mcp`` under ``nightowl serve``)."""

from __future__ import annotations

from pydantic import Field

from nightowl.settings.base import Section


class McpSettings(Section):
    """``mcp``: where ``nightowl serve`` mounts the MCP server, and the budgets of its reads."""

    enabled: bool = Field(
        default=True, description="Serve MCP at ``path`` (needs the mcp extra; skipped without)."
    )
    path: str = Field(default="/mcp", pattern=r"^/[A-Za-z0-9/_-]*$")
    max_rows: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="Most series, log records or incidents per answer.",
    )
    max_chars: int = Field(
        default=20_000, ge=1000, le=1_000_000, description="Longest answer of one tool call."
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="Longest a connector read may take."
    )
    max_range_minutes: int = Field(
        default=360, ge=1, description="Widest time range query_metrics and search_logs accept."
    )
