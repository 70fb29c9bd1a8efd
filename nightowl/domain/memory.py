"""Incident memory: what a finished incident leaves behind, and what a human said about it.

A ``Memory`` is one finished incident reduced to what the next similar one needs: its
``Signature`` (alert names, stable labels, services, category, the decisive evidence), the cause
nightowl diagnosed, the actions taken with their verified outcome, and every ``Feedback`` a
human gave (a diagnosis confirmed or corrected, an action rated). A correction wins over
nightowl's own diagnosis: ``Memory.cause`` is what the newest human word says, so a correction
changes what memory recalls next time. ``Recall`` is what the diagnose stage made of the similar
past incidents: the sentence shown to humans and whether the recall was used, and if not why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from nightowl.domain.base import Model
from nightowl.domain.diagnosis import Recall
from nightowl.domain.evidence import Change, Evidence, PatternLines, TemplateLines
from nightowl.domain.incident import Incident

VOLATILE_LABELS = frozenset(
    {"instance", "pod", "pod_name", "pod_ip", "container_id", "uid", "endpoint", "fingerprint"}
)
"""Labels that name one replica or one scrape, not the kind of trouble: left out of signatures."""

__all__ = [
    "VOLATILE_LABELS",
    "Feedback",
    "Match",
    "Memory",
    "PastAction",
    "Recall",
    "Signature",
    "Verdict",
    "memory_of",
    "signature_of",
]

_WORD = re.compile(r"[a-z0-9_]+")
_VARIABLE = re.compile(r"<[^>]*>|\d+")


class Verdict(StrEnum):
    """What a human said: the diagnosis stands, the diagnosis was wrong, or how an action did."""

    CONFIRM = "confirm"
    CORRECT = "correct"
    RATE = "rate"


class Feedback(Model):
    """One human judgement on a past incident.

    ``correct`` names the true cause (``kind`` and ``service``); ``rate`` names an ``action``
    kind and whether it ``helped``; ``confirm`` needs neither.
    """

    incident_id: str
    author: str
    at: datetime
    verdict: Verdict
    kind: str | None = None
    service: str | None = None
    action: str | None = None
    helped: bool | None = None
    note: str = ""


class PastAction(Model):
    """An action of a past incident: what, where, and how it ended (``status``; a dry run did
    nothing)."""

    kind: str
    service: str
    status: str
    dry_run: bool


class Signature(Model):
    """What makes two incidents the same kind of trouble; ``document`` is its full-text form."""

    alertnames: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    category: str | None = None
    evidence: tuple[str, ...] = ()

    def document(self) -> str:
        """Every term of the signature as one text, for full-text ranking."""
        parts = [
            *self.alertnames,
            *self.labels,
            *self.services,
            self.category or "",
            *self.evidence,
        ]
        return " ".join(p for p in parts if p)

    def terms(self) -> list[str]:
        """The distinct lower-case words of ``document`` (letters, digits, underscore)."""
        return list(dict.fromkeys(_WORD.findall(self.document().lower())))

    def overlaps(self, other: Signature) -> bool:
        """The structural match: a shared alert name, and a shared service when both name one."""
        if not set(self.alertnames) & set(other.alertnames):
            return False
        return not (self.services and other.services) or bool(
            set(self.services) & set(other.services)
        )


class Memory(Model):
    """One finished incident as memory keeps it; see the module docstring."""

    incident_id: str
    title: str
    opened_at: datetime
    signature: Signature
    diagnosed_kind: str | None = None
    diagnosed_service: str | None = None
    actions: tuple[PastAction, ...] = ()
    recovered: bool | None = None
    feedback: tuple[Feedback, ...] = ()

    @property
    def correction(self) -> Feedback | None:
        """The newest human correction of the diagnosis, if any."""
        found = [f for f in self.feedback if f.verdict is Verdict.CORRECT]
        return max(found, key=lambda f: f.at) if found else None

    @property
    def cause(self) -> tuple[str, str] | None:
        """(kind, service) as the newest human word says, else as nightowl diagnosed."""
        fixed = self.correction
        if fixed is not None and fixed.kind and fixed.service:
            return (fixed.kind, fixed.service)
        if self.diagnosed_kind and self.diagnosed_service:
            return (self.diagnosed_kind, self.diagnosed_service)
        return None

    @property
    def proven(self) -> bool:
        """Whether this incident's cause is known good: a human confirmed or corrected it, or the
        actions nightowl applied for it were verified to recover the service (a service that
        recovered on its own, or after dry runs only, proves nothing)."""
        said = {f.verdict for f in self.feedback}
        fixed = self.recovered is True and self.fix is not None  # not a recovery on its own
        return bool(said & {Verdict.CONFIRM, Verdict.CORRECT}) or fixed

    @property
    def fix(self) -> str | None:
        """The action kinds that were applied (not dry-run) and succeeded, joined: what fixed it."""
        done = [a.kind for a in self.actions if not a.dry_run and a.status == "succeeded"]
        return " then ".join(dict.fromkeys(done)) or None


class Match(Model):
    """A past incident similar to a new one, with its full-text rank (higher is closer)."""

    memory: Memory
    score: float


def signature_of(incident: Incident) -> Signature:
    """An incident's signature: alert names and stable labels, services, category, and the
    evidence its diagnosis cited (or every piece of evidence when it had none)."""
    labels = sorted(
        {
            f"{k}_{v}"
            for a in incident.alerts
            for k, v in a.labels.items()
            if k not in VOLATILE_LABELS and k != "alertname"
        }
    )
    names = sorted({a.name for a in incident.alerts})
    services = {incident.service} if incident.service else set()
    services |= {a.service for a in incident.alerts if a.service}
    diagnosis = incident.diagnosis
    if diagnosis is not None and diagnosis.root_cause is not None:
        services.add(diagnosis.root_cause.service)
    category = incident.category.value if incident.category else None
    return Signature(
        alertnames=tuple(names),
        labels=tuple(labels),
        services=tuple(sorted(services)),
        category=category,
        evidence=tuple(_evidence_terms(_decisive(incident))),
    )


def _decisive(incident: Incident) -> list[Evidence]:
    cited: set[str] = set()
    diagnosis = incident.diagnosis
    if diagnosis is not None and diagnosis.root_cause is not None and diagnosis.hypotheses:
        cited = set(diagnosis.hypotheses[0].supporting)
    if not cited:
        return list(incident.evidence)
    return [e for e in incident.evidence if e.id in cited]


def _evidence_terms(evidence: Iterable[Evidence]) -> list[str]:
    """A stable phrase per piece of evidence: its kind, signal and service, the log template
    without its variables, the deployed service (the version changes every time, so it is left
    out)."""
    terms: list[str] = []
    for e in evidence:
        terms.append(" ".join(p for p in (e.kind.value, e.signal, e.service) if p))
        detail = e.detail
        if isinstance(detail, TemplateLines) and detail.template:
            terms.append(_VARIABLE.sub(" ", detail.template))
        elif isinstance(detail, PatternLines):
            terms.append(_VARIABLE.sub(" ", detail.pattern))
        elif isinstance(detail, Change):
            terms.append("config_change" if detail.config else "deploy")
    return list(dict.fromkeys(terms))


def memory_of(incident: Incident, feedback: Iterable[Feedback] = ()) -> Memory:
    """What memory keeps of a finished incident."""
    rc = incident.diagnosis.root_cause if incident.diagnosis else None
    verified = incident.verification
    return Memory(
        incident_id=incident.id,
        title=incident.title,
        opened_at=incident.opened_at,
        signature=signature_of(incident),
        diagnosed_kind=rc.kind if rc else None,
        diagnosed_service=rc.service if rc else None,
        actions=tuple(
            PastAction(kind=a.kind, service=a.service, status=a.status.value, dry_run=a.dry_run)
            for a in incident.actions
        ),
        recovered=verified.recovered if verified is not None else None,
        feedback=tuple(feedback),
    )
