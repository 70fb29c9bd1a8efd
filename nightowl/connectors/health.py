"""Health checks of configured connectors: reach each backend and run one sample query.

Checks run concurrently, each within ``timeout_seconds``; a failure is a result (with the
connector's one-line error), never an exception, so one dead backend does not hide the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from nightowl.connectors.protocols import Checkable
from nightowl.domain.base import Model
from nightowl.errors import NightowlError


class CheckResult(Model):
    """One connector's health check: whether it answered, how long it took, and why not."""

    name: str
    kind: str
    ok: bool
    latency_ms: float
    error: str | None = None


async def check_one(kind: str, connector: object, timeout_seconds: float) -> CheckResult:
    """Run ``connector.check()`` within ``timeout_seconds``; a failure, a timeout or a connector
    bug becomes a failed result, never an exception.
    """
    name = str(getattr(connector, "name", kind))
    started = time.monotonic()
    error: str | None = None
    if not isinstance(connector, Checkable):
        error = f"connector kind {kind!r} has no health check"
    else:
        try:
            await asyncio.wait_for(connector.check(), timeout=timeout_seconds)
        except TimeoutError:
            error = f"connector {name!r}: no answer within {timeout_seconds:g}s"
        except NightowlError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 — a connector bug is reported as a failed check
            error = f"connector {name!r}: {type(exc).__name__}: {exc}"
    latency = round((time.monotonic() - started) * 1000, 1)
    return CheckResult(name=name, kind=kind, ok=error is None, latency_ms=latency, error=error)


async def check_all(
    connectors: Sequence[tuple[str, object]], timeout_seconds: float
) -> list[CheckResult]:
    """Check ``(kind, connector)`` pairs concurrently; results in the same order."""
    return list(await asyncio.gather(*(check_one(k, c, timeout_seconds) for k, c in connectors)))
