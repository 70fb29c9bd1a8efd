"""The explicit list of alert sources, by the name used in ``/api/v1/webhooks/{source}``."""

from __future__ import annotations

from nightowl.errors import NotFoundError
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.sources.base import AlertSource

SOURCES: dict[str, type[AlertSource]] = {
    "alertmanager": AlertmanagerSource,
}


def get_source(name: str) -> AlertSource:
    try:
        return SOURCES[name]()
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise NotFoundError(f"unknown alert source {name!r}; known sources: {known}") from None
