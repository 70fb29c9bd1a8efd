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
    MODEL_DRIFT = "model_drift"
    POPULATION_SHIFT = "population_shift"


class HypothesisStatus(StrEnum):
    """How the evidence treats a hypothesis, from its confidence: enough to stand
    (``supported``, from 0.5), too little (``weak``, from 0.2), or evidence that rules it out
    (``refuted``). ``untested``: there was no data to test it on (no data source configured, or
    none returned anything), so it is neither supported nor ruled out.
    """

    SUPPORTED = "supported"
    WEAK = "weak"
    REFUTED = "refuted"
    UNTESTED = "untested"

    @classmethod
    def of(cls, confidence: float) -> HypothesisStatus:
        """The status a hypothesis of this ``confidence`` has."""
        if confidence >= SUPPORTED_FROM:
            return cls.SUPPORTED
        return cls.WEAK if confidence >= WEAK_FROM else cls.REFUTED


SUPPORTED_FROM, WEAK_FROM = 0.5, 0.2

NO_SOURCES = "No data sources configured"
"""How a diagnosis on no data begins when no metrics, logs or cluster source is configured."""
NO_DATA = "No data gathered"
"""How it begins when the configured sources returned nothing (``analysis/nodata.py``)."""


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
    """What diagnosis concluded went wrong: the kind of cause, the service it is in, and the
    deploy when a change is to blame. ``summary`` is the sentence shown to humans and in the
    report.
    """

    kind: str
    service: str
    deploy: str | None = None
    summary: str


class Recall(Model):
    """What the diagnose stage made of the similar past incidents (incident memory).

    ``text`` is the sentence shown on the incident page, in the report and in notifications.
    ``kind``/``service``: the cause the past incidents point to; ``applied``: it was used as a
    prior (every gate passed and fresh evidence confirmed it); ``settled``: and it decided the
    root cause; otherwise ``dropped`` says why.
    A recall never changes ``Diagnosis.confidence``: that stays the evidence's own.
    """

    text: str
    incidents: tuple[str, ...]
    kind: str | None = None
    service: str | None = None
    applied: bool = False
    settled: bool = False
    """The recall decided the root cause (the evidence alone was under the threshold)."""
    dropped: str | None = None

    @property
    def line(self) -> str:
        """One line for the report, the incident page and notifications."""
        if self.applied:
            return (
                f"History: {self.text}. Recalled {self.kind} on {self.service}, confirmed by "
                "fresh evidence."
            )
        return f"History: {self.text}. Not used as a prior: {self.dropped}."


class Diagnosis(Model):
    """The analysis stage's conclusion, with every hypothesis it weighed.

    ``root_cause`` is the most confident hypothesis, or None when none reached the configured
    confidence threshold (the explanation then says a human should look). ``confidence`` is in
    [0, 1]; ``hypotheses`` keeps the refuted ones too, so the report can say what was ruled out
    and why.
    """

    root_cause: RootCause | None
    confidence: float
    explanation: str
    hypotheses: tuple[Hypothesis, ...]
    decided_at: datetime
    recall: Recall | None = None

    @property
    def untested(self) -> bool:
        """Every hypothesis went untested: there was no data to test any on."""
        return bool(self.hypotheses) and all(
            h.status is HypothesisStatus.UNTESTED for h in self.hypotheses
        )
