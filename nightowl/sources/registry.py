"""The explicit list of alert sources, by the name used in ``/api/v1/webhooks/{source}``."""

from __future__ import annotations

from nightowl.errors import NotFoundError
from nightowl.settings import Settings
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.sources.base import AlertSource
from nightowl.sources.datadog import DatadogSource
from nightowl.sources.generic import GenericSource
from nightowl.sources.grafana import GrafanaSource
from nightowl.sources.opsgenie import OpsgenieSource
from nightowl.sources.pagerduty import PagerDutySource

SOURCES = ("alertmanager", "grafana", "pagerduty", "datadog", "opsgenie", "generic")


def build_sources(settings: Settings) -> dict[str, AlertSource]:
    """One parser per source, built once from the settings."""
    return {
        "alertmanager": AlertmanagerSource(),
        "grafana": GrafanaSource(),
        "pagerduty": PagerDutySource(),
        "datadog": DatadogSource(),
        "opsgenie": OpsgenieSource(),
        "generic": GenericSource(settings.webhooks.generic),
    }


def get_source(sources: dict[str, AlertSource], name: str) -> AlertSource:
    """The source named ``name``; NotFoundError (a 404) listing the known ones."""
    try:
        return sources[name]
    except KeyError:
        raise NotFoundError(
            f"unknown alert source {name!r}; known sources: {', '.join(SOURCES)}"
        ) from None
