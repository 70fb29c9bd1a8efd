"""Loading runbooks and matching them to a diagnosis (the plan stage)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from nightowl.domain import ActionSpec, Category, Diagnosis, Scalar
from nightowl.errors import ConfigError
from nightowl.runbooks.model import Runbook

BUILTIN_DIR = Path(__file__).parent / "builtin"


def load_runbook(path: Path) -> Runbook:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Runbook.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", where=str(path)) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(
            f"{'.'.join(map(str, err['loc']))}: {err['msg']}", where=str(path)
        ) from None


def builtin_runbooks() -> list[Runbook]:
    return [load_runbook(p) for p in sorted(BUILTIN_DIR.glob("*.yaml"))]


def match(
    runbooks: Sequence[Runbook], diagnosis: Diagnosis, category: Category | None
) -> Runbook | None:
    """The first runbook whose trigger fits the root cause (kind, category, service)."""
    cause = diagnosis.root_cause
    if cause is None:
        return None
    for book in runbooks:
        t = book.trigger
        if t.fault_kinds and cause.kind not in t.fault_kinds:
            continue
        if t.categories and category not in t.categories:
            continue
        if t.services and cause.service not in t.services:
            continue
        return book
    return None


def plan(
    book: Runbook, diagnosis: Diagnosis, incident_id: str, previous_version: str | None
) -> list[ActionSpec]:
    """The runbook's steps with incident facts filled in, each with its idempotency key."""
    cause = diagnosis.root_cause
    assert cause is not None
    facts: dict[str, Scalar] = {
        "$service": cause.service,
        "$deploy": cause.deploy,
        "$previous_version": previous_version,
    }
    actions = []
    for n, step in enumerate(book.steps):
        params = {k: facts.get(v, v) if isinstance(v, str) else v for k, v in step.params.items()}
        key = hashlib.sha256(
            f"{incident_id}|{book.name}|{n}|{step.action}|{cause.service}".encode()
        ).hexdigest()[:20]
        actions.append(
            ActionSpec(
                kind=step.action,
                service=cause.service,
                params=params,
                runbook=book.name,
                risk=step.risk,
                reason=f"{book.description} (root cause: {cause.kind} on {cause.service})",
                rollback=book.rollback.replace("$deploy", str(cause.deploy)),
                idempotency_key=key,
            )
        )
    return actions
