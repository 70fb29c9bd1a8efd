"""Pulumi's ``pulumi preview --json`` output, read into drifted resources.

The document is Pulumi's ``PreviewDigest`` (``pkg/display/json.go``; the ``--json`` flag of
https://www.pulumi.com/docs/iac/cli/commands/pulumi_preview/): ``steps[]`` each with ``op``
(``same``, ``create``, ``update``, ``replace``, ``delete``…), the resource's ``urn``,
``oldState`` and ``newState`` (each a ``ResourceV3``: ``type``, ``inputs``, ``outputs``…),
``diffReasons`` and ``detailedDiff`` (property path → ``{kind, inputDiff}``), and
``diagnostics[]`` (``severity``, ``message``). Drift is what a **refreshed** preview still wants
to change: run with ``--refresh`` (the state first takes the real objects) and
``--expect-no-changes`` (the command fails when anything would change), every ``update`` step
is a resource whose real object (``oldState``) differs from the program (``newState``'s inputs).

Only the properties the step names as different are compared. ``command`` builds the preview
the drift watcher runs when ``pulumi`` is configured; **no Pulumi binary can be installed where
nightowl's tests run**: they test the command and the parsing on documented output.
"""

from __future__ import annotations

import json
from typing import Any

from nightowl.errors import WatcherError
from nightowl.watchers.terraform import Drifted


def command(binary: str, stack: str | None) -> list[str]:
    """The refreshed, change-expecting JSON preview of ``stack`` (default: the selected one)."""
    argv = [binary, "preview", "--refresh", "--expect-no-changes", "--json", "--non-interactive"]
    return argv + (["--stack", stack] if stack else [])


def _changed(step: dict[str, Any]) -> list[str]:
    """The top-level properties the step says differ (``detailedDiff``, else ``diffReasons``)."""
    paths = list(step.get("detailedDiff") or {}) or list(step.get("diffReasons") or [])
    out: list[str] = []
    for path in paths:
        top = str(path).split(".")[0].split("[")[0]
        if top and top not in out:
            out.append(top)
    return out


def drifted(data: str | bytes, watcher: str) -> list[Drifted]:
    """The drifted resources of a preview document; WatcherError when it is not one, or when
    its diagnostics hold errors (the preview did not run to the end)."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise WatcherError(
            f"the Pulumi preview is not JSON (pulumi preview --json): {exc.msg}", watcher=watcher
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("steps", []), list):
        raise WatcherError("the Pulumi preview has no steps list", watcher=watcher)
    errors = [str(d.get("message", "")).strip() for d in doc.get("diagnostics") or []
              if isinstance(d, dict) and d.get("severity") == "error"]  # fmt: skip
    if errors:
        raise WatcherError(f"pulumi preview failed: {errors[0][:300]}", watcher=watcher)
    return [
        _drift(s) for s in doc.get("steps") or [] if isinstance(s, dict) and s.get("op") == "update"
    ]


def _drift(step: dict[str, Any]) -> Drifted:
    old, new = step.get("oldState") or {}, step.get("newState") or {}
    urn = str(step.get("urn") or new.get("urn") or "")
    from_urn = urn.split("::")[-2].split("$")[-1] if urn.count("::") >= 3 else ""
    type_ = str(new.get("type") or old.get("type") or from_urn)
    real_side = {**(old.get("inputs") or {}), **(old.get("outputs") or {})}
    code_side = new.get("inputs") or {}
    keys = _changed(step)
    return Drifted(
        address=urn,
        type=type_,
        name=urn.rsplit("::", 1)[-1],
        code={k: code_side.get(k) for k in keys},
        real={k: real_side.get(k) for k in keys},
        tool="pulumi",
    )
