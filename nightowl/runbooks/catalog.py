"""Loading runbooks and matching them to a diagnosis (the plan stage)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from nightowl.domain import (
    ActionSpec,
    Category,
    Diagnosis,
    Evidence,
    Incident,
    ModelDrift,
    Scalar,
    Severity,
)
from nightowl.domain.patterns import search
from nightowl.errors import ConfigError
from nightowl.runbooks.interpreter import interpret
from nightowl.runbooks.model import Runbook
from nightowl.settings import strict_yaml

BUILTIN_DIR = Path(__file__).parent / "builtin"


def load_runbook(path: Path) -> Runbook:
    """One runbook file; ConfigError names the file and what is wrong (unreadable, not YAML, or
    the first invalid key).
    """
    try:
        data = strict_yaml.load(path.read_text(encoding="utf-8"))
        return Runbook.model_validate(data)
    except OSError as exc:
        raise ConfigError(f"cannot read the runbook: {exc.strerror}", where=str(path)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", where=str(path)) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(
            f"{'.'.join(map(str, err['loc']))}: {err['msg']}", where=str(path)
        ) from None


def builtin_runbooks() -> list[Runbook]:
    """The runbooks shipped with nightowl, in file-name order."""
    return [load_runbook(p) for p in sorted(BUILTIN_DIR.glob("*.yaml"))]


def load_runbooks(paths: Sequence[Path] = ()) -> list[Runbook]:
    """The user's runbooks (every ``*.yaml``/``*.yml`` in ``paths``) first, then the built-in ones.

    A user runbook with a built-in runbook's name replaces it. ConfigError names a missing
    directory, an unreadable file or the first invalid key.
    """
    user: list[Runbook] = []
    for directory in paths:
        if not directory.is_dir():
            raise ConfigError(f"{directory} is not a directory of runbooks", where="runbooks.paths")
        files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
        user.extend(load_runbook(f) for f in files)
    names = {b.name for b in user}
    return [*user, *(b for b in builtin_runbooks() if b.name not in names)]


def match(
    runbooks: Sequence[Runbook],
    diagnosis: Diagnosis,
    category: Category | None,
    *,
    labels: Iterable[Mapping[str, str]] = (),
    texts: Sequence[str] = (),
    exclude: Iterable[str] = (),
) -> Runbook | None:
    """The first runbook whose trigger fits the root cause (kind, category, service, alert labels,
    error pattern), skipping the names in ``exclude`` (runbooks already tried on this incident)."""
    cause = diagnosis.root_cause
    if cause is None:
        return None
    label_sets, skipped = list(labels), set(exclude)
    for book in runbooks:
        t = book.trigger
        if book.name in skipped:
            continue
        if t.fault_kinds and cause.kind not in t.fault_kinds:
            continue
        if t.categories and category not in t.categories:
            continue
        if t.services and cause.service not in t.services:
            continue
        if t.service_labels and not any(
            all(ls.get(k) == v for k, v in t.service_labels.items()) for ls in label_sets
        ):
            continue
        if t.error_pattern and not any(search(t.error_pattern, text) for text in texts):
            continue
        return book
    return None


def facts_of(
    diagnosis: Diagnosis,
    incident_id: str,
    previous_version: str | None,
    category: Category | None = None,
    severity: Severity | None = None,
) -> dict[str, Scalar]:
    """The facts a runbook may name, all derived by nightowl (never copied from alert text)."""
    cause = diagnosis.root_cause
    assert cause is not None
    return {
        "service": cause.service,
        "deploy": cause.deploy,
        "previous_version": previous_version,
        "fault_kind": cause.kind,
        "category": category.value if category else None,
        "severity": severity.value if severity else None,
        "confidence": round(diagnosis.confidence, 3),
        "incident": incident_id,
    }


def drift_facts(evidence: Iterable[Evidence]) -> dict[str, Scalar]:
    """The facts about a drifted model (``$model``, ``$alias``, ``$model_version``), from the
    drift evidence the analyze stage read from nightowl's own finding; empty without it."""
    for e in evidence:
        if isinstance(e.detail, ModelDrift):
            d = e.detail
            return {"model": d.model, "alias": d.alias, "model_version": d.version}
    return {}


def plan(
    book: Runbook,
    diagnosis: Diagnosis,
    incident_id: str,
    previous_version: str | None,
    facts: Mapping[str, Scalar] | None = None,
) -> list[ActionSpec]:
    """The runbook's steps with incident facts filled in, each with its idempotency key."""
    cause = diagnosis.root_cause
    assert cause is not None
    known = facts or facts_of(diagnosis, incident_id, previous_version)
    reason = f"{book.description} (root cause: {cause.kind} on {cause.service})"
    return interpret(book, known, incident_id, reason)


def previous_version_of(incident: Incident) -> str | None:
    """The version before the deploy the diagnosis blames, from the deploy evidence."""
    cause = incident.diagnosis.root_cause if incident.diagnosis else None
    for e in incident.evidence:
        change = e.change
        if cause and change is not None and change.version == cause.deploy:
            return change.previous_version or None
    return None
