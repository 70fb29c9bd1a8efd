"""``infracost diff --format json``: a plan priced by Infracost, read into a ``CostDiff``.

The documented output (https://www.infracost.io/docs/features/cli_commands/, JSON format
``version`` 0.2): ``currency``, ``projects[]`` each with ``diff.resources[]`` (``name`` — the
address —, ``monthlyCost`` as a decimal string, the change's delta) and totals
(``diffTotalMonthlyCost``). Costs are strings so nothing is lost to floats; a ``null`` cost
(usage-based, not priced) is listed as unpriced.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from nightowl.domain.cost import CostDiff, ResourceCost
from nightowl.errors import InputError

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def parse(data: str | bytes) -> CostDiff:
    """The per-resource monthly deltas of an ``infracost diff --format json`` output.
    InputError when it is not one."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(f"the infracost output is not JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("projects"), list):
        raise InputError(
            "the infracost output has no projects: give `infracost diff --format json`"
        )
    priced, unpriced = [], []
    for project in doc["projects"]:
        for resource in ((project or {}).get("diff") or {}).get("resources") or []:
            name, cost = str(resource.get("name") or "?"), _number(resource.get("monthlyCost"))
            if cost is None:
                unpriced.append(name)
            elif cost != 0:
                priced.append(
                    ResourceCost(address=name, delta=round(cost, 2), priced_by="infracost")
                )
    currency = str(doc.get("currency") or "USD")
    return CostDiff(
        currency=SYMBOLS.get(currency, currency + " "),
        source="infracost",
        resources=tuple(priced),
        unpriced=tuple(unpriced),
    )


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def command(binary: str, plan: Path) -> list[str]:
    """The documented invocation on a plan JSON."""
    return [binary, "diff", "--path", str(plan), "--format", "json", "--no-color"]


async def run(binary: str, plan: Path, timeout: float = 300.0) -> CostDiff:
    """Run infracost on ``plan``; InputError when it cannot run or fails."""
    try:
        process = await asyncio.create_subprocess_exec(
            *command(binary, plan), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except OSError as exc:
        raise InputError(f"cannot run {binary}: {exc.strerror}") from None
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    if process.returncode != 0:
        raise InputError(f"{binary} diff exited {process.returncode}: {err.decode()[:300]}")
    return parse(out)
