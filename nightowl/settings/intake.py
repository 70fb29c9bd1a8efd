"""Settings of alert intake: webhook authentication, the generic source's mapping, grouping,
inhibition, correlation and storm control."""

from __future__ import annotations

from typing import Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator

from nightowl.settings.base import Section


class SourceAuth(Section):
    """How one source proves who it is. With none configured, a bearer token is required."""

    kind: Literal["bearer", "hmac", "basic"] = "bearer"
    secrets: list[SecretStr] = Field(
        default_factory=list,
        description="hmac: shared secrets (several during rotation); the signature header is per source.",
    )
    users: dict[str, SecretStr] = Field(default_factory=dict, description="basic: user → password.")


class GenericMapping(Section):
    """How to read a ``generic`` JSON alert: JMESPath expressions over the body."""

    alerts: str = Field(default="alerts || [@]", description="Where the list of alerts is.")
    name: str = "name || alertname || title"
    status: str = "status"
    labels: str = "labels"
    annotations: str = "annotations"
    starts_at: str = "startsAt || starts_at || timestamp"
    ends_at: str = "endsAt || ends_at"
    fingerprint: str = "fingerprint || id"
    resolved_values: list[str] = ["resolved", "ok", "closed", "recovered", "inactive"]


class InhibitRule(Section):
    """While a source alert fires, matching target alerts with equal ``equal`` labels are muted."""

    source_matchers: list[str]
    target_matchers: list[str]
    equal: list[str] = Field(default_factory=list)


class IntakeSettings(Section):
    group_by: list[str] = Field(
        default_factory=lambda: ["alertname", "service"],
        description="Labels that define a group; ['...'] groups by every label.",
    )
    group_wait_seconds: float = Field(default=5.0, ge=0)
    group_interval_seconds: float = Field(default=300.0, gt=0)
    repeat_interval_seconds: float = Field(default=4 * 3600.0, gt=0)
    correlation_window_minutes: float = Field(default=30.0, gt=0)
    topology: dict[str, list[str]] = Field(
        default_factory=dict, description="caller → callees, for correlating related services."
    )
    inhibit_rules: list[InhibitRule] = Field(default_factory=list)
    storm_alerts_per_minute: int = Field(default=600, ge=1)
    flap_transitions: int = Field(default=4, ge=2)
    flap_window_minutes: float = Field(default=10.0, gt=0)
    batch_max: int = Field(default=1000, ge=1)
    batch_wait_ms: float = Field(default=2.0, ge=0)


class FieldLimits(Section):
    """How long each field of an alert may be once read; longer values are cut (with "…").

    The ceilings are the store's column widths: a value beyond them would fail the whole group
    commit on PostgreSQL, so the settings cannot raise a limit past its column.
    """

    alert_name_chars: int = Field(default=500, ge=16, le=500)
    fingerprint_chars: int = Field(
        default=200, ge=32, le=200, description="Longer fingerprints are replaced by their hash."
    )
    label_key_chars: int = Field(default=100, ge=16, le=200)
    label_value_chars: int = Field(default=200, ge=16, le=200)
    labels_per_alert: int = Field(default=64, ge=1)
    annotation_chars: int = Field(default=16 * 1024, ge=256)
    annotations_per_alert: int = Field(default=64, ge=1)
    url_chars: int = Field(default=2048, ge=256)


class RateLimits(Section):
    """Per-client request rates, in the ``limits`` library's notation ("100/second;3000/minute").

    A client is its IP address; an empty string turns a limit off. Over the limit the answer is
    429 with Retry-After.
    """

    webhooks: str = Field(
        default="5000/second",
        description="Webhook requests per client IP (above the single-alert rate the bench measures).",
    )
    login: str = Field(default="20/minute;300/hour", description="UI login attempts per client IP.")

    @field_validator("webhooks", "login")
    @classmethod
    def _parses(cls, text: str) -> str:
        if text.strip():
            try:
                parse_many(text)
            except ValueError:
                raise ValueError(
                    f"webhooks.rate_limits: {text!r} is not a rate; write e.g. "
                    "'100/second;3000/minute' (or '' for no limit)"
                ) from None
        return text


class DeadLetterSettings(Section):
    """What is kept of rejected requests from authenticated senders, and for how long."""

    max_count: int = Field(default=10_000, ge=1, description="Oldest dropped beyond this many.")
    max_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1024 * 1024, description="Oldest dropped beyond this total."
    )
    retention_days: float = Field(default=14.0, gt=0, description="Older ones are purged.")


class WebhookSettings(Section):
    tokens: dict[str, list[SecretStr]] = Field(
        default_factory=dict,
        description="Bearer tokens accepted per source; the key '*' applies to every source.",
    )
    auth: dict[str, SourceAuth] = Field(
        default_factory=dict, description="Per source: bearer (default), hmac or basic."
    )
    generic: GenericMapping = GenericMapping()
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    limits: FieldLimits = FieldLimits()
    rate_limits: RateLimits = RateLimits()
    dead_letters: DeadLetterSettings = DeadLetterSettings()
