"""The knowledge graph's vocabulary: entities, edges as their sources saw them, and the answers.

An edge goes from a subject to an object: ``checkout depends_on payments``, ``team-pay owns
payments``, ``ana on_call_for payments``, ``deploy deployed payments``, ``deploy changed_by ana``,
``incident affected payments``, ``incident ran action``, ``incident decided decision``,
``person decided decision``, ``incident used runbook``. Every edge carries the source that said
it (a connector's name, ``config``, ``push``, ``pipeline``), its provenance (how: the CODEOWNERS
line, the annotation, the route), and when it was first and last seen.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from nightowl.domain.base import Model


class EntityKind(StrEnum):
    """What a node of the graph is."""

    SERVICE = "service"
    PERSON = "person"
    TEAM = "team"
    DEPLOY = "deploy"
    RUNBOOK = "runbook"
    INCIDENT = "incident"
    ACTION = "action"
    DECISION = "decision"


class EdgeKind(StrEnum):
    """What an edge says about its two ends (subject → object)."""

    DEPENDS_ON = "depends_on"
    OWNS = "owns"
    ON_CALL_FOR = "on_call_for"
    DEPLOYED = "deployed"
    CHANGED_BY = "changed_by"
    AFFECTED = "affected"
    RAN = "ran"
    DECIDED = "decided"
    USED = "used"


class Node(Model):
    """One entity: its kind, its name (unique within the kind) and what is known about it."""

    kind: EntityKind
    name: str = Field(min_length=1, max_length=500)
    attrs: dict[str, str] = {}


class Fact(Model):
    """One edge as a source saw it at ``seen``; recording it again moves its ``last_seen``."""

    kind: EdgeKind
    subject: Node
    object: Node
    source: str = Field(min_length=1, max_length=200)
    provenance: str = Field(default="", max_length=1000)
    seen: datetime
    attrs: dict[str, str] = {}


class Edge(Model):
    """One stored edge, with when its source first and last said it."""

    kind: EdgeKind
    subject: Node
    object: Node
    source: str
    provenance: str
    first_seen: datetime
    last_seen: datetime
    attrs: dict[str, str] = {}


class OwnerRef(Model):
    """Someone who owns (or is on call for) a service, with every source that says so."""

    name: str
    kind: EntityKind
    sources: tuple[str, ...]


class Reach(Model):
    """A service a walk reached, and how many calls away it is."""

    service: str
    hops: int


class ChangeRef(Model):
    """One deploy of a service: who changed what, when, from which commit and pull request."""

    service: str
    version: str
    previous_version: str | None = None
    at: datetime
    author: str | None = None
    commit: str | None = None
    pr: str | None = None
    summary: str | None = None
    source: str
    hops: int = 0
    """0 for the service itself; n for a dependency n calls away."""


class IncidentRef(Model):
    """An incident that affected a service."""

    id: str
    title: str
    status: str
    opened_at: datetime | None = None
    slack_thread: str | None = None
    """The Slack channel and thread ``ts`` the incident was discussed in, when Slack was told."""


class ServiceCard(Model):
    """What the graph knows about one service, as the CLI, the API and the stages read it."""

    service: str
    known: bool
    owners: tuple[OwnerRef, ...] = ()
    on_call: tuple[OwnerRef, ...] = ()
    dependencies: tuple[Reach, ...] = ()
    dependents: tuple[Reach, ...] = ()
    fan_in: int = 0
    """How many services depend on this one, directly or through others."""
    changes: tuple[ChangeRef, ...] = ()
    incidents: tuple[IncidentRef, ...] = ()
