"""Alerts as nightowl sees them, whatever source sent them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model
from nightowl.domain.vocabulary import service_in


class AlertStatus(StrEnum):
    """Whether the source still reports the alert: ``firing`` until the source sends
    ``resolved``.
    """

    FIRING = "firing"
    RESOLVED = "resolved"


class Alert(Model):
    """One alert from one source, normalised.

    ``fingerprint`` identifies the alert across notifications (same labels, same alert);
    ``content_hash`` identifies one exact notification of it (status, annotations, times).
    """

    source: str
    fingerprint: str
    content_hash: str
    status: AlertStatus
    name: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None = None
    generator_url: str | None = None

    @property
    def service(self) -> str | None:
        """The service the alert is about, from the first service label present
        (``SERVICE_LABELS``).
        """
        return service_in(self.labels)

    @property
    def severity(self) -> str | None:
        """The ``severity`` label as the source wrote it; normalised only by triage."""
        return self.labels.get("severity")


class AlertGroup(Model):
    """One notification: the alerts a source sent together, with the source's grouping."""

    source: str
    group_key: str
    status: AlertStatus
    receiver: str | None = None
    alerts: tuple[Alert, ...]
    group_labels: dict[str, str] = {}
    common_labels: dict[str, str] = {}
    common_annotations: dict[str, str] = {}
    external_url: str | None = None
    truncated_alerts: int = 0
