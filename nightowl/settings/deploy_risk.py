"""Settings of the deploy risk assessment (``nightowl deploy assess``, ``POST
/api/v1/deploys/assess``): how far back history looks, and the metrics queries behind "now"."""

from __future__ import annotations

from pydantic import Field

from nightowl.settings.base import Section


class DeployRiskSettings(Section):
    """Where each input of the score comes from. The points and thresholds are not settings: they
    are the documented table of ``nightowl.deployrisk.score`` (docs/deploy-risk.md)."""

    history_days: int = Field(
        default=90, ge=1, le=3650, description="How far back the change-failure rate looks."
    )
    incident_window_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 14,
        description="A deploy followed by an incident on its service within this many hours "
        "counts as a failed change.",
    )
    recent_incident_days: int = Field(
        default=7, ge=1, le=365, description="Incidents of the service this recent are counted."
    )
    traffic_query: str | None = Field(
        default=None,
        max_length=2000,
        description="Metrics query of the service's request rate now, '{service}' replaced "
        '(e.g. sum(rate(http_requests_total{service="{service}"}[5m]))); unset: traffic is '
        "not assessed.",
    )
    profile_days: int = Field(
        default=7,
        ge=1,
        le=28,
        description="Traffic now is compared with the median of its daily profile: every hour "
        "of this many previous days.",
    )
    error_ratio_query: str | None = Field(
        default=None,
        max_length=2000,
        description="Metrics query of the service's error ratio (0–1) over the SLO window, "
        "'{service}' replaced; unset: the error budget is not assessed.",
    )
    slo_objective: float = Field(
        default=0.999, gt=0, lt=1, description="The availability objective the budget is of."
    )
    notify_on_delay: bool = Field(
        default=True,
        description="Send a 'delay' assessment to the notifiers, routed to the service's owners.",
    )
