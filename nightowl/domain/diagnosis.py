"""Hypotheses and the diagnosis they lead to (the evidence they cite is in ``evidence.py``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model


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


class HypothesisStatus(StrEnum):
    """Where a hypothesis stands: supported from confidence 0.5, weak from 0.2, else refuted."""

    SUPPORTED = "supported"
    WEAK = "weak"
    REFUTED = "refuted"

    @classmethod
    def of(cls, confidence: float) -> HypothesisStatus:
        """The status a hypothesis of this ``confidence`` has."""
        if confidence >= SUPPORTED_FROM:
            return cls.SUPPORTED
        return cls.WEAK if confidence >= WEAK_FROM else cls.REFUTED


SUPPORTED_FROM, WEAK_FROM = 0.5, 0.2


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
