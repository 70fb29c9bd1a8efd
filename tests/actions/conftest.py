"""Helpers for the driver tests: an action to act on."""

from __future__ import annotations

from typing import Any

from nightowl.domain import ActionSpec, Risk


def action(kind: str, service: str = "checkout", key: str = "key-1", **params: Any) -> ActionSpec:
    return ActionSpec(
        kind=kind,
        service=service,
        params=params,
        runbook="test",
        risk=Risk.LOW,
        reason="test",
        rollback="test",
        idempotency_key=key,
    )
