"""What each source says, as edges of the graph: pure functions from domain models to ``Fact``s.

Names are the ends' identity: a service by its name, a person by login or address, a team by
``org/team`` (CODEOWNERS) or its name (config ``team:name``, Kubernetes), a deploy by service,
version and time, an incident by its id, an action and a decision by the incident and the
action's idempotency key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from nightowl.connectors.protocols import Ownership
from nightowl.domain import Deploy
from nightowl.domain.graph import EdgeKind, EntityKind, Fact, Node
from nightowl.settings.people import GraphSettings

PR = re.compile(r"\(#(\d+)\)|/pull/(\d+)|\bPR #?(\d+)\b|^Merge pull request #(\d+)")
"""A pull request named in a change summary: GitHub's squash ``(#123)``, a link, ``PR 123``,
or a merge commit's first line."""
PIPELINE = "pipeline"


def service(name: str) -> Node:
    """The node of a service."""
    return Node(kind=EntityKind.SERVICE, name=name)


def owner(name: str, *, team: bool | None = None) -> Node:
    """A person, or a team when ``team`` (or, when None, a name written ``team:x`` or ``org/x``)."""
    bare = name.removeprefix("team:").removeprefix("@")
    is_team = team if team is not None else name.startswith("team:") or "/" in bare
    return Node(kind=EntityKind.TEAM if is_team else EntityKind.PERSON, name=bare)


def deploy_node(deploy: Deploy) -> Node:
    """The deploy as an entity, with what a reader asks of it (version, commit, author, PR)."""
    attrs = {
        "service": deploy.service,
        "version": deploy.version,
        "previous_version": deploy.previous_version,
        "at": deploy.at.isoformat(),
        "author": deploy.author,
        "commit": deploy.commit,
        "pr": pull_request(deploy.summary),
        "summary": deploy.summary,
        "source": deploy.source,
    }
    name = f"{deploy.service}@{deploy.version}@{deploy.at.isoformat()}"
    return Node(
        kind=EntityKind.DEPLOY, name=name, attrs={k: v for k, v in attrs.items() if v is not None}
    )


def pull_request(summary: str | None) -> str | None:
    """The first pull request number a change summary names, if any."""
    found = PR.search(summary or "")
    return next((g for g in found.groups() if g), None) if found else None


def deploy_facts(deploy: Deploy, source: str, provenance: str, seen: datetime) -> list[Fact]:
    """``deploy deployed service`` and, with an author, ``deploy changed_by author``."""
    node = deploy_node(deploy)
    out = [
        Fact(
            kind=EdgeKind.DEPLOYED, subject=node, object=service(deploy.service),
            source=source, provenance=provenance, seen=seen,
        )
    ]  # fmt: skip
    if deploy.author:
        out.append(
            Fact(
                kind=EdgeKind.CHANGED_BY, subject=node, object=owner(deploy.author, team=False),
                source=source, provenance=provenance, seen=seen,
            )
        )  # fmt: skip
    return out


def dependency_facts(
    graph: Mapping[str, Sequence[str]], source: str, provenance: str, seen: datetime
) -> list[Fact]:
    """``caller depends_on callee`` for every edge of a topology source's call graph."""
    return [
        Fact(
            kind=EdgeKind.DEPENDS_ON, subject=service(caller), object=service(callee),
            source=source, provenance=provenance, seen=seen,
        )
        for caller, callees in sorted(graph.items())
        for callee in callees
        if callee != caller
    ]  # fmt: skip


def ownership_facts(found: Iterable[Ownership], source: str, seen: datetime) -> list[Fact]:
    """``owner owns service`` for each ownership a connector states."""
    return [
        Fact(
            kind=EdgeKind.OWNS, subject=owner(o.owner, team=o.team), object=service(o.service),
            source=source, provenance=o.provenance, seen=seen,
        )
        for o in found
    ]  # fmt: skip


def config_facts(settings: GraphSettings, seen: datetime) -> list[Fact]:
    """The owners and on-call people ``graph.owners`` and ``graph.on_call`` name."""
    out = []
    for kind, table, key in (
        (EdgeKind.OWNS, settings.owners, "graph.owners"),
        (EdgeKind.ON_CALL_FOR, settings.on_call, "graph.on_call"),
    ):
        for name, people in sorted(table.items()):
            out += [
                Fact(
                    kind=kind, subject=owner(p), object=service(name), source="config",
                    provenance=f"nightowl.yaml {key}.{name}", seen=seen,
                )
                for p in people
            ]  # fmt: skip
    return out
