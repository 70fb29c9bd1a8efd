"""Evidence: one cited observation, with a typed detail per kind of finding.

Every piece of evidence says where it came from (``source``, ``query``) so a human can check it.
What was found is typed (``detail``), one model per finding, so the stages that read evidence —
hypotheses, diagnosis, planning, verification, the report — read fields, not dictionary keys:

    Shift          a metric moved from its baseline to a new level (direction, baseline, level)
    PodTrouble     pods restarted, were OOM-killed or wait in a crash loop
    Growth         a metric climbs steadily (rank correlation, relative growth)
    Change         a deploy or a configuration change (version, previous version, commit)
    ErrorLines     a service's error lines and their most frequent template
    PatternLines   lines that read like a fault pattern of the taxonomy (or a probe found them)
    ClusterWarning a warning event from the cluster (reason, count)
    TemplateLines  what the log miner found: top templates, templates new since a deploy, a spike
    AnomalyScore   what the streaming anomaly detector flagged (score, direction, move order)
    ModelDrift     a served model's column moved (a ``model_drift`` watcher's finding, as found)

Rows stored before details were typed carried a free ``data`` mapping; they are read into the
matching detail (``Evidence._legacy``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from nightowl.domain.base import Model


class EvidenceKind(StrEnum):
    """The kinds of finding, one per typed ``detail`` model; ``unavailable`` records a source
    that could not be read, so a missing signal is evidence of ignorance rather than of health.
    """

    METRIC_CHANGE = "metric_change"
    MONOTONIC_GROWTH = "monotonic_growth"
    DEPLOY = "deploy"
    LOG_ERRORS = "log_errors"
    LOG_TEMPLATE = "log_template"
    ANOMALY = "anomaly"
    MODEL_DRIFT = "model_drift"
    UNAVAILABLE = "unavailable"


class Shift(Model):
    """A metric's level change: from ``baseline`` to ``level``; ``direction`` +1 rose, -1 fell."""

    type: Literal["shift"] = "shift"
    baseline: float
    level: float
    direction: Literal[-1, 1]


class PodTrouble(Model):
    """Restarts, OOM kills or a crash loop of a service's pods (always a rise)."""

    type: Literal["pods"] = "pods"
    pods: int


class Growth(Model):
    """A steady climb: Spearman rank correlation ``rho`` and relative ``growth`` (0.5 = +50 %)."""

    type: Literal["growth"] = "growth"
    rho: float
    growth: float


class Change(Model):
    """A change that reached production: a deploy, or a configuration change (``config``)."""

    type: Literal["change"] = "change"
    version: str
    previous_version: str | None = None
    commit: str | None = None
    config: bool = False


class ErrorLines(Model):
    """A service's error lines: how many, how many templates, the most frequent one."""

    type: Literal["errors"] = "errors"
    lines: int
    templates: int
    top_template: str


class PatternLines(Model):
    """Lines that read like a taxonomy pattern; ``probed``: a targeted search found them."""

    type: Literal["pattern"] = "pattern"
    pattern: str
    lines: int
    example: str | None = None
    probed: bool = False
    about: str | None = None
    """The service the lines name by one of its hosts (logged by a caller), if any."""


class ClusterWarning(Model):
    """A warning event from the cluster (BackOff, Evicted, ...)."""

    type: Literal["event"] = "event"
    reason: str
    count: int


class TemplateLines(Model):
    """What the log miner found: a frequent error template (``count``), one new since a deploy
    (``new_since``), or an error spike (``total_errors``); ``lines`` lists the raw lines' times."""

    type: Literal["template"] = "template"
    template: str | None = None
    count: int | None = None
    example: str | None = None
    new_since: str | None = None
    total_errors: int | None = None
    lines: str = ""


class AnomalyScore(Model):
    """The streaming detector's finding; ``order`` is the service's place in the order of moves."""

    type: Literal["anomaly"] = "anomaly"
    score: float
    direction: str
    baseline: float
    observed: float
    order: int


class ModelDrift(Model):
    """A served model's column that moved, as the ``model_drift`` watcher found it (never
    re-derived): the model, its alias and version, the column and its test, the likely cause,
    both windows' shares per bin or category (what the charts draw), and when the version was
    registered — ``deploy_coincides`` when that was within the current window."""

    type: Literal["drift"] = "drift"
    model: str
    alias: str
    version: str | None = None
    column: str
    role: str = "feature"
    test: str = ""
    adjusted_p: float | None = None
    distance_name: str = ""
    distance: float | None = None
    cause: str = ""
    cause_detail: str = ""
    labels: tuple[str, ...] = ()
    reference: tuple[float, ...] = ()
    current: tuple[float, ...] = ()
    registered_at: datetime | None = None
    deploy_coincides: bool = False
    finding: str = ""
    """The finding's fingerprint."""


Detail = Annotated[
    Shift
    | PodTrouble
    | Growth
    | Change
    | ErrorLines
    | PatternLines
    | ClusterWarning
    | TemplateLines
    | AnomalyScore
    | ModelDrift,
    Field(discriminator="type"),
]


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
    detail: Detail | None = None

    @property
    def rising(self) -> bool:
        """A metric that went up (or pods in trouble): the shape of a symptom."""
        return isinstance(self.detail, PodTrouble) or (
            isinstance(self.detail, Shift) and self.detail.direction == 1
        )

    @property
    def change(self) -> Change | None:
        """The deploy or config change this evidence records, if it records one."""
        return self.detail if isinstance(self.detail, Change) else None

    @property
    def baseline(self) -> float | None:
        """The level before the change, for evidence that measured one."""
        if isinstance(self.detail, Shift | AnomalyScore):
            return self.detail.baseline
        return None

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, value: Any) -> Any:
        """Read a row stored with the untyped ``data`` mapping of earlier versions."""
        if not isinstance(value, dict) or "data" not in value:
            return value
        value = dict(value)
        data = value.pop("data") or {}
        if data and "detail" not in value:
            value["detail"] = legacy_detail(str(value.get("kind")), data)
        return value


def legacy_detail(kind: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """The typed detail of an old ``data`` mapping (None when nothing in it is known)."""
    if kind == EvidenceKind.DEPLOY:
        return {
            "type": "change",
            "version": str(data.get("version", "")),
            "previous_version": data.get("previous_version"),
            "commit": data.get("commit"),
            "config": data.get("change") == "config",
        }
    if kind == EvidenceKind.METRIC_CHANGE:
        if "baseline" in data:
            return {"type": "shift", **{k: data[k] for k in ("baseline", "level", "direction")}}
        return {"type": "pods", "pods": int(data.get("pods") or 0)}
    if kind == EvidenceKind.MONOTONIC_GROWTH:
        return {"type": "growth", "rho": data["rho"], "growth": data["growth"]}
    if kind == EvidenceKind.ANOMALY:
        return {"type": "anomaly", **data}
    if kind == EvidenceKind.LOG_TEMPLATE:
        return {"type": "template", **data}
    if "pattern" in data:
        return {"type": "pattern", **data}
    if "reason" in data:
        return {"type": "event", "reason": data["reason"], "count": data.get("count") or 1}
    if "top_template" in data:
        return {"type": "errors", **data}
    return None
