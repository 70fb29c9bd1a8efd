"""What connectors return: metric series, log records, deploys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model


class SignalKind(StrEnum):
    """The golden signals nightowl reads for every service, whatever the backend calls them."""

    REQUEST_RATE = "request_rate"
    ERROR_RATE = "error_rate"
    LATENCY_P99 = "latency_p99"
    MEMORY = "memory"
    CPU = "cpu"


class Series(Model):
    """A metric series: parallel lists of unix timestamps (seconds) and values."""

    metric: str
    labels: dict[str, str] = {}
    timestamps: tuple[float, ...]
    values: tuple[float, ...]

    @property
    def service(self) -> str | None:
        """The ``service`` label of the series, None for a series not attributed to a service."""
        return self.labels.get("service")


class LogLevel(StrEnum):
    """Log levels normalised across sources (``warning`` reads as WARN, ``critical`` as FATAL,
    ...).
    """

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"
    FATAL = "FATAL"


class LogRecord(Model):
    """One log line from any source, with its service and level already parsed by the connector."""

    timestamp: datetime
    service: str
    level: LogLevel
    message: str
    labels: dict[str, str] = {}


class Deploy(Model):
    """A change that reached production: a new version of a service."""

    service: str
    version: str
    previous_version: str | None = None
    at: datetime
    author: str | None = None
    commit: str | None = None
    summary: str | None = None
    source: str = "unknown"
