"""The whole configuration: every section, with complete embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator

from nightowl.settings.base import PluginConfig, Section
from nightowl.settings.deploy_risk import DeployRiskSettings
from nightowl.settings.intake import (
    IntakeSettings,
    WebhookSettings,
)
from nightowl.settings.llm import LlmSettings
from nightowl.settings.mcp import McpSettings
from nightowl.settings.people import (
    CliSettings,
    GraphSettings,
    NotifySettings,
    UiSettings,
)
from nightowl.settings.safety import (
    ActionSettings,
    ApprovalSettings,
    PolicySettings,
)
from nightowl.settings.sections import (
    AnalysisSettings,
    ApiSettings,
    AuditSettings,
    GatherSettings,
    LoggingSettings,
    MemorySettings,
    ReportSettings,
    RunbookSettings,
    ServerSettings,
    StoreSettings,
    VerifySettings,
)
from nightowl.settings.watchers import WatcherConfig, unique_names


class Settings(Section):
    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    logging: LoggingSettings = LoggingSettings()
    webhooks: WebhookSettings = WebhookSettings()
    intake: IntakeSettings = IntakeSettings()
    gather: GatherSettings = GatherSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    memory: MemorySettings = MemorySettings()
    policy: PolicySettings = PolicySettings()
    actions: ActionSettings = ActionSettings()
    verify: VerifySettings = VerifySettings()
    report: ReportSettings = ReportSettings()
    approvals: ApprovalSettings = ApprovalSettings()
    runbooks: RunbookSettings = RunbookSettings()
    api: ApiSettings = ApiSettings()
    notify: NotifySettings = NotifySettings()
    ui: UiSettings = UiSettings()
    cli: CliSettings = CliSettings()
    llm: LlmSettings = LlmSettings()
    audit: AuditSettings = AuditSettings()
    graph: GraphSettings = GraphSettings()
    deploy_risk: DeployRiskSettings = DeployRiskSettings()
    mcp: McpSettings = McpSettings()
    connectors: list[PluginConfig] = Field(default_factory=list)
    watchers: list[WatcherConfig] = Field(default_factory=list)

    @field_validator("watchers")
    @classmethod
    def _unique_watchers(cls, value: list[WatcherConfig]) -> list[WatcherConfig]:
        return unique_names(value)

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{self.data_dir / 'nightowl.sqlite'}"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def audit_key_file(self) -> Path:
        return self.audit.key_file or self.data_dir / "audit.key"

    @property
    def audit_anchor_file(self) -> Path:
        return self.audit.anchor_file or self.data_dir / "audit.anchor"

    def webhook_tokens(self, source: str) -> list[str]:
        tokens = [*self.webhooks.tokens.get(source, []), *self.webhooks.tokens.get("*", [])]
        return [t.get_secret_value() for t in tokens]


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "nightowl"
