"""The typed inputs of a deploy risk assessment and its answer: score, recommendation, reasons."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from nightowl.domain.base import Model, Scalar

MAX_FILES = 5000
"""The most changed files one assessment takes (a larger diff is refused, not truncated)."""


class ChangeKind(StrEnum):
    """What a changed file is, by its path (``change.kind_of``)."""

    MIGRATION = "schema migration"
    CONFIG = "config"
    DEPENDENCY = "dependency bump"
    CODE = "code"
    TEST = "test"
    DOCS = "docs"


class FileChange(Model):
    """One changed file: its path, lines added and deleted (0 for binary files), and its kind."""

    path: str = Field(min_length=1, max_length=1000)
    added: int = Field(default=0, ge=0)
    deleted: int = Field(default=0, ge=0)
    kind: ChangeKind | None = Field(default=None, description="Omitted: classified from the path.")


class Change(Model):
    """The diff being deployed and where it was read (``git``, ``github``, ``request``)."""

    files: tuple[FileChange, ...] = Field(default=(), max_length=MAX_FILES)
    source: str = "request"
    base: str | None = None
    head: str | None = None


class JUnitSummary(Model):
    """A JUnit XML report, summed over its suites."""

    tests: int = Field(default=0, ge=0)
    failures: int = Field(default=0, ge=0)
    errors: int = Field(default=0, ge=0)
    skipped: int = Field(default=0, ge=0)


class Coverage(Model):
    """Line coverage (0–1) of this build from a Cobertura XML report, and of the base if given."""

    line_rate: float = Field(ge=0, le=1)
    baseline: float | None = Field(default=None, ge=0, le=1)


class History(Model):
    """The service's record before the deploy: recent deploys, how many were followed by an
    incident on the service within the window, and its incidents of the last days."""

    deploys: int = Field(ge=0)
    failed: int = Field(ge=0)
    window_hours: int = Field(ge=1)
    days: int = Field(ge=1)
    recent_incidents: int = Field(ge=0)
    recent_days: int = Field(ge=1)


class Traffic(Model):
    """Request rate now against the median of its daily profile (every hour of the last days)."""

    now: float = Field(ge=0)
    typical: float = Field(ge=0)
    days: int = Field(ge=1)

    @property
    def ratio(self) -> float | None:
        return self.now / self.typical if self.typical > 0 else None


class Budget(Model):
    """The error budget: the error ratio over the SLO window against what the objective allows."""

    error_ratio: float = Field(ge=0, le=1)
    objective: float = Field(gt=0, lt=1)

    @property
    def spent(self) -> float:
        """The fraction of the budget used (above 1 when it is exhausted)."""
        return self.error_ratio / (1 - self.objective)


class RiskInputs(Model):
    """Everything the score reads, each input None when it was not available (then the reasons
    say so). Only what is known before the deploy: nothing here may come from its outcome."""

    service: str
    version: str
    at: datetime
    change: Change | None = None
    tests: JUnitSummary | None = None
    coverage: Coverage | None = None
    history: History | None = None
    open_incidents: tuple[str, ...] | None = None
    traffic: Traffic | None = None
    budget: Budget | None = None
    freeze: str | None = None
    """The name of the change-freeze window in effect, None when there is none."""
    dependents: tuple[str, ...] | None = None
    unavailable: dict[str, str] = Field(default_factory=dict)
    """Factor → why its input could not be read (a failing query), said in its reason."""


class AssessRequest(Model):
    """What a caller asks about: the deploy, and what it knows of the change and the build (the
    rest — history, now, freezes, dependents — nightowl reads itself)."""

    service: str = Field(min_length=1, max_length=200)
    version: str = Field(min_length=1, max_length=200)
    at: datetime | None = Field(default=None, description="Default: now.")
    commit: str | None = Field(default=None, max_length=200)
    diff_from: str | None = Field(default=None, max_length=200)
    change: Change | None = Field(
        default=None,
        description="None: read from the service's GitHub connector when commit and diff_from "
        "are given, else not assessed.",
    )
    tests: JUnitSummary | None = None
    coverage: Coverage | None = None


class Recommendation(StrEnum):
    """What the score advises; a human still decides."""

    PROCEED = "proceed"
    CAUTION = "caution"
    DELAY = "delay"


class Reason(Model):
    """One factor's contribution: its points (after its cap), why, and the evidence it read."""

    factor: str
    points: int = Field(ge=0)
    cap: int = Field(ge=0)
    summary: str
    evidence: dict[str, Scalar] = Field(default_factory=dict)
    present: bool = True
    """False when the input was not available (then ``points`` is 0 and ``summary`` says why)."""


class Assessment(Model):
    """The answer: ``score`` is the sum of the reasons' points, capped at 100."""

    service: str
    version: str
    at: datetime
    score: int = Field(ge=0, le=100)
    recommendation: Recommendation
    thresholds: dict[str, int]
    reasons: tuple[Reason, ...]
    audit_id: int | None = None
    notified: tuple[str, ...] = ()
    """The notifiers a ``delay`` was sent through (and whether each arrived)."""
