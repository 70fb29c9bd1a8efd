"""Evidence, hypotheses and the diagnosis they lead to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model, Scalar


class FaultKind(StrEnum):
    """The built-in fault taxonomy. Hypotheses carry ``kind`` as a string so users can add kinds."""

    BAD_DEPLOY = "bad_deploy"
    CONFIG_CHANGE = "config_change"
    MEMORY_LEAK = "memory_leak"
    CPU_SATURATION = "cpu_saturation"
    TRAFFIC_SPIKE = "traffic_spike"
    DEPENDENCY_FAILURE = "dependency_failure"
    CONNECTION_POOL_EXHAUSTION = "connection_pool_exhaustion"
    DISK_FULL = "disk_full"
    CRASH_LOOP = "crash_loop"
    CERTIFICATE_EXPIRY = "certificate_expiry"
    NETWORK_DNS = "network_dns"
    DATABASE_SLOWNESS = "database_slowness"


class EvidenceKind(StrEnum):
    METRIC_CHANGE = "metric_change"
    MONOTONIC_GROWTH = "monotonic_growth"
    DEPLOY = "deploy"
    LOG_ERRORS = "log_errors"
    LOG_TEMPLATE = "log_template"
    ANOMALY = "anomaly"
    UNAVAILABLE = "unavailable"


class Evidence(Model):
    """One observation, with where it came from (``source``, ``query``) so a human can check it."""

    id: str
    kind: EvidenceKind
    service: str | None
    summary: str
    source: str
    query: str
    signal: str | None = None
    onset: datetime | None = None
    magnitude: float | None = None
    data: dict[str, Scalar] = {}


class HypothesisStatus(StrEnum):
    SUPPORTED = "supported"
    WEAK = "weak"
    REFUTED = "refuted"


class Hypothesis(Model):
    """A candidate explanation with its confidence and the evidence for and against it."""

    kind: str
    service: str
    confidence: float
    status: HypothesisStatus
    summary: str
    supporting: tuple[str, ...] = ()
    refuting: tuple[str, ...] = ()
    deploy: str | None = None


class RootCause(Model):
    kind: str
    service: str
    deploy: str | None = None
    summary: str


class Diagnosis(Model):
    root_cause: RootCause | None
    confidence: float
    explanation: str
    hypotheses: tuple[Hypothesis, ...]
    decided_at: datetime
