"""Terraform's and OpenTofu's documented outputs, read into drifted resources.

Two formats (https://developer.hashicorp.com/terraform/internals/json-format and
.../machine-readable-ui), both shared by OpenTofu:

- the **plan JSON** (``terraform show -json PLANFILE``, what CI keeps): ``resource_drift`` lists
  the changes made outside Terraform (``before``: the state Terraform knew, ``after``: the real
  object), ``resource_changes`` what the plan would do (``before``: the real object, ``after``:
  what the code says). A refresh-only plan's drift is in ``resource_drift``; a normal plan's
  ``update`` in ``resource_changes`` is drift too when the code did not change.
- the **JSON lines** of ``plan -json``: one message a line; ``resource_drift`` messages name the
  drifted resources, ``diagnostic`` messages with ``@level: error`` say why a plan failed.

``command`` builds the refresh-only plan the drift watcher runs when a binary is configured
(``-detailed-exitcode``: 0 no drift, 2 drift, 1 an error); no Terraform binary can be installed
where nightowl's tests run, so those test the command and the parsing on documented output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.errors import WatcherError

MAX_PLAN_BYTES = 64 * 1024 * 1024
"""The largest plan JSON read (a plan of thousands of resources is a few MB)."""


class Change(BaseModel):
    """A resource change's ``change`` object (only the fields drift needs)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    actions: list[str]
    before: Any = None
    after: Any = None


class ResourceChange(BaseModel):
    """One entry of ``resource_drift`` or ``resource_changes``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    address: str
    module_address: str | None = None
    mode: str = "managed"
    type: str
    name: str
    index: Any = None
    provider_name: str = ""
    change: Change


class Plan(BaseModel):
    """A plan JSON document: its format version and the two lists of changes."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    format_version: str
    terraform_version: str = ""
    resource_drift: list[ResourceChange] = Field(default_factory=list)
    resource_changes: list[ResourceChange] = Field(default_factory=list)


class Drifted(BaseModel):
    """One managed resource whose real object differs from what Terraform knew: ``code`` is the
    side the code holds, ``real`` the side the cloud holds."""

    model_config = ConfigDict(frozen=True)

    address: str
    type: str
    name: str
    module_address: str | None = None
    code: dict[str, Any]
    real: dict[str, Any]
    tool: str = "terraform"
    """What manages it: ``terraform`` (HCL a pull request can edit) or ``pulumi`` (a program:
    adopting is by hand, reverting is ``pulumi up --target``)."""


def read_plan(path: Path, watcher: str) -> Plan:
    """The plan JSON at ``path``. WatcherError saying what is wrong with it."""
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise WatcherError(
                f"plan {path} is larger than {MAX_PLAN_BYTES} bytes", watcher=watcher
            )
        return parse_plan(path.read_bytes(), watcher, str(path))
    except OSError as exc:
        raise WatcherError(f"cannot read plan {path}: {exc.strerror}", watcher=watcher) from None


def parse_plan(data: bytes | str, watcher: str, where: str = "the plan") -> Plan:
    """A plan JSON document; WatcherError naming the first field that is wrong."""
    try:
        return Plan.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "the document"
        raise WatcherError(
            f"{where} is not a Terraform plan JSON (terraform show -json): {field}: {first['msg']}",
            watcher=watcher,
        ) from None


def drifted(plan: Plan) -> list[Drifted]:
    """The managed resources that drifted: every ``update`` in ``resource_drift``, else (a plan
    that is not refresh-only) every ``update`` in ``resource_changes``. Deleted-outside and
    created resources are not attribute drift and are left to the plan's reviewer."""
    found = [_drift(c) for c in plan.resource_drift if _updated(c)]
    if found:
        return found
    return [_drift(c, from_changes=True) for c in plan.resource_changes if _updated(c)]


def _updated(change: ResourceChange) -> bool:
    return change.mode == "managed" and change.change.actions == ["update"]


def _drift(change: ResourceChange, *, from_changes: bool = False) -> Drifted:
    before = change.change.before if isinstance(change.change.before, dict) else {}
    after = change.change.after if isinstance(change.change.after, dict) else {}
    code, real = (after, before) if from_changes else (before, after)
    return Drifted(
        address=change.address,
        type=change.type,
        name=change.name,
        module_address=change.module_address,
        code=code,
        real=real,
    )


def command(binary: str, out: Path) -> list[str]:
    """The refresh-only plan: JSON lines on stdout, the plan saved to ``out`` for ``show``."""
    return [
        binary,
        "plan",
        "-refresh-only",
        "-detailed-exitcode",
        "-json",
        "-input=false",
        "-lock=false",
        f"-out={out}",
    ]


def show_command(binary: str, out: Path) -> list[str]:
    """The saved plan as plan JSON."""
    return [binary, "show", "-json", str(out)]


def stream_drift(lines: str, watcher: str) -> list[str]:
    """The addresses of the ``resource_drift`` messages of a ``plan -json`` stream. WatcherError
    with the error diagnostics' summaries when the plan reported any."""
    addresses, errors = [], []
    for raw in lines.splitlines():
        try:
            message = json.loads(raw)
        except json.JSONDecodeError:
            continue  # a line the binary printed outside the protocol (a crash banner)
        if not isinstance(message, dict):
            continue
        kind = message.get("type")
        if kind == "resource_drift":
            resource = (message.get("change") or {}).get("resource") or {}
            if resource.get("addr"):
                addresses.append(str(resource["addr"]))
        elif kind == "diagnostic" and message.get("@level") == "error":
            diagnostic = message.get("diagnostic") or {}
            errors.append(str(diagnostic.get("summary") or message.get("@message") or "error"))
    if errors:
        raise WatcherError("the plan failed: " + "; ".join(errors), watcher=watcher, retryable=True)
    return addresses
