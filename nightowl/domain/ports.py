"""What a stage may ask of a capability another package owns.

Stage packages never import each other. When one needs what another owns — the gate needs the
driver's dry run (actions), verify needs the runbook's window and undo steps (runbooks) and a way
to undo writes (actions), approvals needs to page a human (notify), diagnose and report may ask the
LLM layer (agent), gather, the gate, notify and the report read the knowledge graph (graph) — it names the need here as a small protocol, and the composition root
(``app.py``) hands it the owner's implementation. Every method documents its errors.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import datetime
from typing import Protocol

from nightowl.domain.base import Model
from nightowl.domain.diagnosis import Diagnosis, Hypothesis
from nightowl.domain.graph import ServiceCard
from nightowl.domain.incident import Incident
from nightowl.domain.remediation import ActionResult, ActionSpec


class Preview(Model):
    """What a driver's dry run of one action showed, or why there is none.

    ``available`` False: no configured driver can perform the action. ``error``: the dry run
    failed (``retryable`` when trying again may help). ``result``: the dry run's record (pre-state,
    expected post-state, blast radius); None for read-only steps, which need no driver.
    """

    available: bool = True
    result: ActionResult | None = None
    error: str | None = None
    retryable: bool = False


class Previewer(Protocol):
    """Dry-runs actions (owned by ``actions/``)."""

    async def preview(self, action: ActionSpec) -> Preview:
        """Never raises for a driver's failure: it is reported in the Preview."""
        ...


class Remedies(Protocol):
    """Performs and undoes writes for a stage other than act (owned by ``actions/``).

    Every write reads the kill switch immediately before it happens, is audited, recorded on the
    incident, and never repeated under the same idempotency key.
    """

    async def perform(self, incident_id: str, action: ActionSpec) -> tuple[str, bool]:
        """Perform one action; (summary line, whether the rest of a plan must stop)."""
        ...

    async def roll_back(self, incident_id: str, executed: Sequence[ActionResult]) -> list[str]:
        """Restore the pre-state of ``executed`` (newest first); one note per action. A failed
        undo is audited and reported in its note (with the pre-state to restore by hand)."""
        ...


class Pricing(Protocol):
    """What a change costs per month (owned by ``watchers/``, from ``cost:``'s price table)."""

    currency: str

    def monthly_delta(self, action: ActionSpec, preview: ActionResult | None) -> float | None:
        """The change in monthly cost ``action`` makes (its dry run's ``preview`` says how much
        capacity), or None when it changes no priced capacity. Never raises."""
        ...


class RecoveryWindow(Model):
    """How long to let an action settle, then how long to watch the symptoms."""

    settle_seconds: int
    window_seconds: int


class RunbookFacts(Protocol):
    """What the runbooks say about an incident's plan (owned by ``runbooks/``)."""

    def requires_approval(self, runbook: str) -> bool:
        """Whether the named runbook always asks a human (False for an unknown name)."""
        ...

    def recovery_window(self, incident: Incident, runbooks: Set[str]) -> RecoveryWindow | None:
        """The verification window of the first of ``runbooks`` that has one."""
        ...

    def undo_steps(self, incident: Incident, runbooks: Set[str]) -> list[ActionSpec]:
        """The runbooks' own rollback steps (beyond restoring pre-state), as actions."""
        ...


class Pager(Protocol):
    """Sends a message about an incident to every routed notifier and records it (``notify/``)."""

    async def page(
        self, incident: Incident, text: str, *, status: str | None = None, report: bool = False
    ) -> None:
        """Never raises for a delivery failure (it is recorded on the incident)."""
        ...


class Opinion(Protocol):
    """The LLM layer's answer: the diagnosis that stands, and its own hypothesis if accepted."""

    @property
    def diagnosis(self) -> Diagnosis:
        """The diagnosis that stands after the second opinion: the deterministic one or the
        LLM's.
        """

    @property
    def hypothesis(self) -> Hypothesis | None:
        """The LLM's own hypothesis when it was accepted into the diagnosis; None otherwise."""


class SecondOpinion(Protocol):
    """An LLM investigation beside the deterministic one (owned by ``agent/``)."""

    async def diagnose(
        self, incident: Incident, deterministic: Diagnosis, *, cycle: int, tried: Sequence[str]
    ) -> Opinion:
        """Never raises for a model's failure: the deterministic diagnosis then stands."""
        ...


class Narrator(Protocol):
    """Writes the report's narrative (owned by ``agent/``)."""

    async def narrate(self, incident: Incident) -> str:
        """The narrative in Markdown; "" when there is none."""
        ...


class Knowledge(Protocol):
    """The knowledge graph as the stages read and feed it (owned by ``graph/``): who owns a
    service, who changed it and what depends on it; and the incident's record written into it.
    Both methods are synchronous store calls; both raise StoreError when the database cannot be
    used, and a stage treats that as the graph knowing nothing (a missing owner never fails an
    incident). Recording is idempotent."""

    def card(self, name: str, now: datetime, hops: int | None = None) -> ServiceCard:
        """Owners, on-call, dependencies both ways, fan-in, recent deploys, incidents."""
        ...

    def dependencies(self) -> dict[str, list[str]]:
        """Caller → callees as the topology sources last reported them to the graph."""
        ...

    def fan_in(self, name: str) -> int:
        """How many services depend on ``name``, directly or through others (0 when unknown)."""
        ...

    def note_incident(self, incident: Incident, now: datetime) -> None:
        """Record the incident, what it affected, the runbooks it used, the actions it ran and
        the decisions taken."""
        ...
