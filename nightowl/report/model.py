"""The post-incident report as one typed model, in the shape of the Google SRE postmortem.

``postmortem.build`` fills it from the incident record (and, where the stage has them, the
observations, the approval requests and the audit trail); ``markdown.render_postmortem`` writes it
as Markdown, which ``html`` turns into the HTML page; the JSON export is the model itself. What
only humans know is left as a ``prompt`` (rendered "_To fill in:_ …"), never invented.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from nightowl.domain import Model, ModelDrift, Outcome

Priority = Literal["P1", "P2", "P3"]
TO_FILL = "_To fill in_"


class Link(Model):
    """Something to open: the alert's own page, a dashboard, the incident page; ``url`` None for a
    reference with no address (a commit hash without a repository URL)."""

    label: str
    url: str | None = None


class Event(Model):
    """One line of the timeline."""

    at: datetime
    text: str


class Detection(Model):
    """When things happened, and the delays between them (seconds; None where unknown).

    ``trigger_at`` is the change that started it (the root cause's deploy), ``symptom_at`` the
    first measured symptom, ``alerted_at`` when the first alert started firing, ``paged_at`` when
    nightowl opened the incident, ``mitigated_at`` when the symptoms were verified recovered.
    """

    trigger_at: datetime | None = None
    symptom_at: datetime | None = None
    alerted_at: datetime | None = None
    paged_at: datetime
    diagnosed_at: datetime | None = None
    mitigated_at: datetime | None = None
    detection_delay_seconds: float | None = None
    """From the trigger (or the first symptom, without one) to the first alert."""
    time_to_page_seconds: float | None = None
    time_to_diagnose_seconds: float | None = None
    time_to_mitigate_seconds: float | None = None
    """From the page to the verified recovery."""


class Impact(Model):
    """User impact in numbers where the observations allow, and how each number was computed."""

    services: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    degraded_seconds: float | None = None
    requests: float | None = None
    failed_requests: float | None = None
    excess_failed_requests: float | None = None
    """Failed requests above the normal error rate (the level before the symptom)."""
    method: str = ""
    """How the numbers were computed, in one sentence (shown under them)."""


class Citation(Model):
    """A piece of evidence as the report cites it: what, from which source, by which query."""

    summary: str
    source: str
    query: str


class Alternative(Model):
    """A hypothesis that lost, and why."""

    kind: str
    service: str
    confidence: float
    status: str
    summary: str


class Cause(Model):
    """Trigger versus root cause: the change that set it off, and the fault it caused."""

    kind: str
    service: str
    confidence: float
    summary: str
    trigger: str
    deploy: str | None = None
    commit: str | None = None
    evidence: tuple[Citation, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


class Person(Model):
    """Someone who took part: who, in which role, and what they did."""

    name: str
    role: Literal["approver", "responder"]
    did: str


class Lesson(Model):
    """One line of "what went well / badly / where we got lucky"; ``prompt``: for humans to fill."""

    text: str
    prompt: bool = False


class ActionItem(Model):
    """A follow-up: what, who owns it (``TO_FILL`` when nobody is known), how urgent, what kind."""

    text: str
    owner: str = TO_FILL
    priority: Priority = "P2"
    kind: Literal["mitigate", "prevent", "detect", "process"] = "prevent"


class Postmortem(Model):
    """The whole post-incident report (see the module docstring)."""

    incident_id: str
    title: str
    service: str | None
    severity: str | None
    category: str | None
    outcome: Outcome
    summary: str
    detection: Detection
    impact: Impact
    cause: Cause | None = None
    cause_note: str = ""
    """Why there is no cause (the diagnosis' explanation), when ``cause`` is None."""
    history: str | None = None
    """What incident memory recalled of similar past incidents (``Recall.line``), if anything."""
    resolution: tuple[str, ...] = ()
    people: tuple[Person, ...] = ()
    went_well: tuple[Lesson, ...] = ()
    went_badly: tuple[Lesson, ...] = ()
    lucky: tuple[Lesson, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    timeline: tuple[Event, ...] = ()
    links: tuple[Link, ...] = ()
    narrative: str | None = None
    drifts: tuple[ModelDrift, ...] = ()
    """The drifted model columns with both windows' distributions (drift incidents only)."""
