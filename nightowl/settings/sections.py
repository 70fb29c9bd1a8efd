"""Settings of the pipeline's plain stages: store, server, workflow, gather, analysis, runbooks, API,
verification."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from nightowl.settings.base import Section


class StoreSettings(Section):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite (WAL) at <data_dir>/nightowl.sqlite.",
    )
    migrate_on_open: bool = Field(
        default=True,
        description="Upgrade the schema when a store opens; false: refuse a database that is not "
        "at this version's schema (run `nightowl db migrate` first, as a rolling upgrade does).",
    )
    application_version: str | None = Field(
        default=None,
        max_length=100,
        description="DBOS application version (default: nightowl's version); pin it during a "
        "rolling upgrade so workflows started on old code are resumed by old code. "
        "NIGHTOWL_APPLICATION_VERSION sets it too.",
    )


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest body of any request but a webhook (webhooks.max_body_bytes): 413.",
    )


class LoggingSettings(Section):
    """Operational logs on stderr (``nightowl.logs``); ``serve``'s flags override these."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="WARNING", description="Lowest level logged; NIGHTOWL_LOG_LEVEL sets it too."
    )
    format: Literal["console", "json"] = Field(
        default="console", description="console: one readable line; json: one object a line."
    )
    access_log: bool = Field(default=False, description="Log every HTTP request (serve).")

    @field_validator("level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class GatherSettings(Section):
    lookback_minutes: int = Field(default=60, ge=1)
    lookahead_minutes: int = Field(default=5, ge=0)
    step_seconds: int = Field(default=30, ge=1)
    call_timeout_seconds: float = Field(default=10.0, gt=0)
    deadline_seconds: float = Field(
        default=30.0, gt=0, description="Total budget of the gather stage, all calls included."
    )
    history_minutes: int = Field(
        default=360,
        ge=0,
        le=10080,
        description="Normal operation read before the evidence window (the same signals and "
        "error logs), from which analysis learns each signal's level, spread and noise. "
        "0: judge signals against the start of the window only.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> GatherSettings:
        if self.step_seconds > self.lookback_minutes * 60:
            raise ValueError(
                f"step_seconds ({self.step_seconds}) is longer than lookback_minutes "
                f"({self.lookback_minutes} min): the window would hold no point; lower the step"
            )
        return self


class AnalysisSettings(Section):
    deploy_window_minutes: int = Field(default=30, ge=1)
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    look_again: int = Field(
        default=0,
        ge=0,
        le=10,
        description="When no root cause reaches min_confidence: gather and diagnose again this "
        "many times (signals still developing) before escalating. 0: escalate at once.",
    )
    look_again_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="The wait before each look again."
    )


class MemorySettings(Section):
    """Incident memory (docs/memory.md): how long it keeps incidents, and the gates a recall
    must pass before it counts as a prior in the diagnosis."""

    enabled: bool = Field(default=True, description="Remember finished incidents and recall them.")
    url: str | None = Field(
        default=None,
        description="A database of its own for memory (SQLite or PostgreSQL URL); default: the "
        "incident store's. One memory may outlive many stores (the eval's --memory).",
    )
    retention_days: int = Field(
        default=365, ge=1, description="Memories of incidents older than this are deleted."
    )
    limit: int = Field(default=10, ge=1, le=100, description="Similar incidents read per recall.")
    min_track_record: int = Field(
        default=2,
        ge=1,
        description="Past incidents with the same proven cause (verified fix or a human's word) "
        "a recall needs before it may count as a prior.",
    )
    min_margin: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="The recalled cause's share of the similar incidents must exceed the "
        "runner-up cause's share by this much.",
    )


class RunbookSettings(Section):
    paths: list[Path] = Field(default_factory=list, description="Directories of user runbooks.")


class ApiSettings(Section):
    users: dict[str, SecretStr] = Field(
        default_factory=dict, description="User name → bearer token for the API (every route)."
    )
    metrics_public: bool = Field(
        default=False,
        description="Serve /metrics without a token (for a scraper on a trusted net).",
    )


class VerifySettings(Section):
    window_seconds: int = Field(default=300, ge=10)
    settle_seconds: int = Field(default=60, ge=0)
    tolerance: float = Field(
        default=1.5, gt=1, description="Recovered when within tolerance × baseline."
    )
    max_cycles: int = Field(
        default=2, ge=1, description="Diagnose → act → verify cycles before escalating."
    )


class DashboardLink(Section):
    label: str = Field(min_length=1, max_length=200)
    url: str = Field(
        pattern=r"^https?://",
        description="http(s) URL; {service} is replaced by the incident's (root-cause) service.",
    )


class ReportSettings(Section):
    """Links the post-incident report adds: dashboards, and where a deploy's commit is shown."""

    dashboards: list[DashboardLink] = Field(default_factory=list)
    commit_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="A commit's page; {service} and {commit} are replaced "
        "(e.g. https://github.com/acme/{service}/commit/{commit}).",
    )


class AuditSettings(Section):
    key: SecretStr | None = Field(
        default=None,
        description="The HMAC key of the audit trail (at least 32 characters), e.g. "
        "${NIGHTOWL_AUDIT_KEY}; shared by every worker. Default: the key file.",
    )
    key_file: Path | None = Field(
        default=None,
        description="Where the key is kept when audit.key is unset; created 0600 on first use. "
        "Default: <data_dir>/audit.key. Keep it out of the database's backups.",
    )
    anchor_file: Path | None = Field(
        default=None,
        description="Append-only file of the chain's anchored heads. Default: <data_dir>/audit.anchor.",
    )
    anchor_every: int = Field(
        default=10, ge=1, le=100_000, description="Anchor the head every this many records."
    )
    anchor_seconds: float = Field(
        default=60.0, gt=0, le=86_400, description="…and this often while serving, if it moved."
    )
    verify_seconds: float = Field(
        default=3600.0,
        ge=0,
        le=604_800,
        description="Verify the whole trail this often while serving, the result "
        "on /metrics (nightowl_audit_chain_ok); 0: never.",
    )
