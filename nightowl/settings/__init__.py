"""Settings: one ``nightowl.yaml``, grouped pydantic models, embedded defaults.

Where the file comes from: ``--config`` or ``NIGHTOWL_CONFIG``; with neither, the embedded defaults
are complete and no file is needed. Strings may contain ``${VAR}`` or ``${VAR:-default}``, replaced
from the environment so that secrets stay out of the file. ``NIGHTOWL_DATA_DIR``,
``NIGHTOWL_WEBHOOK_TOKEN``, ``NIGHTOWL_AUDIT_KEY`` and ``NIGHTOWL_LOG_LEVEL`` are read for a quick start. Nothing here
runs at import time.
"""

from __future__ import annotations

from nightowl.settings.base import PluginConfig, Section
from nightowl.settings.deploy_risk import DeployRiskSettings
from nightowl.settings.intake import (
    DeadLetterSettings,
    FieldLimits,
    GenericMapping,
    InhibitRule,
    IntakeSettings,
    RateLimits,
    SourceAuth,
    WebhookSettings,
)
from nightowl.settings.llm import LlmBudget, LlmModels, LlmPrice, LlmSettings
from nightowl.settings.loading import ENV_PATTERN, load_settings
from nightowl.settings.mcp import McpSettings
from nightowl.settings.model import Settings, default_data_dir
from nightowl.settings.people import (
    CliSettings,
    NotifyRoute,
    NotifySettings,
    Role,
    RouteMatch,
    UiSettings,
    UiUser,
)
from nightowl.settings.safety import (
    ActionSettings,
    ApprovalSettings,
    BlastRadiusSettings,
    BreakerSettings,
    FreezeWindow,
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
from nightowl.settings.watchers import OnFinding, WatcherConfig

__all__ = [
    "ENV_PATTERN",
    "ActionSettings",
    "AnalysisSettings",
    "ApiSettings",
    "ApprovalSettings",
    "AuditSettings",
    "BlastRadiusSettings",
    "BreakerSettings",
    "CliSettings",
    "DeadLetterSettings",
    "DeployRiskSettings",
    "FieldLimits",
    "FreezeWindow",
    "GatherSettings",
    "GenericMapping",
    "InhibitRule",
    "IntakeSettings",
    "LlmBudget",
    "LlmModels",
    "LlmPrice",
    "LlmSettings",
    "LoggingSettings",
    "McpSettings",
    "MemorySettings",
    "NotifyRoute",
    "NotifySettings",
    "OnFinding",
    "PluginConfig",
    "PolicySettings",
    "RateLimits",
    "ReportSettings",
    "Role",
    "RouteMatch",
    "RunbookSettings",
    "Section",
    "ServerSettings",
    "Settings",
    "SourceAuth",
    "StoreSettings",
    "UiSettings",
    "UiUser",
    "VerifySettings",
    "WatcherConfig",
    "WebhookSettings",
    "default_data_dir",
    "load_settings",
]
